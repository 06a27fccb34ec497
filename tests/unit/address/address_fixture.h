#pragma once
// A small generated district (scale 0.02) with its registry, parser, matcher
// and geocoder, built once per test process and shared by the tests.
#include <memory>
#include <string>

#include "address/matcher.h"
#include "address/parser.h"
#include "address/registry.h"

namespace gridtwin::address::test {

struct AddressWorld {
  std::shared_ptr<const Registry> registry;
  std::shared_ptr<const Gazetteer> divisions;
  std::shared_ptr<const Tagger> tagger;
  std::shared_ptr<const Parser> parser;  // divisions + registry names + tagger
  std::shared_ptr<const Matcher> matcher;
  std::shared_ptr<const Geocoder> geocoder;
};

// Fails the calling test (ASSERT) when ../shared/data or generation fails.
const AddressWorld& world();

// The tagger trained on NAACL train+dev, cached in the build folder.
std::shared_ptr<const Tagger> sharedTagger(const Gazetteer& divisions);

}  // namespace gridtwin::address::test
