#include "unit/address/address_fixture.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "generate.h"
#include "store/gpkg_reader.h"

namespace gridtwin::address::test {

std::shared_ptr<const Tagger> sharedTagger(const Gazetteer& divisions) {
  auto t = loadOrTrainTagger(std::string(GRIDTWIN_BINARY_DIR) + "/address_tagger_test.bin",
                             std::string(GRIDTWIN_SHARED_DATA) + "/addresses/naacl2019", divisions);
  if (!t.ok()) {
    ADD_FAILURE() << t.error().toString() << " (../shared/data is required)";
    return nullptr;
  }
  return *t;
}

namespace {
AddressWorld build() {
  AddressWorld w;
  auto divisions = std::make_shared<Gazetteer>();
  auto d = divisions->addDivisions(std::string(GRIDTWIN_SHARED_DATA) + "/divisions");
  if (!d.ok()) {
    ADD_FAILURE() << d.error().toString() << " (../shared/data is required)";
    return w;
  }
  w.divisions = divisions;
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("gridtwin-address-" + std::to_string(::getpid())))
          .string();
  std::filesystem::create_directories(dir);
  generator::GenerateOptions options;
  options.out = dir + "/district.gpkg";
  options.scale = 0.02;
  options.sharedData = GRIDTWIN_SHARED_DATA;
  options.catalogDir = std::string(GRIDTWIN_SOURCE_DIR) + "/data/catalog";
  options.layerCatalog = std::string(GRIDTWIN_SOURCE_DIR) + "/layers/catalog.csv";
  auto gen = generator::generate(options, {});
  if (!gen.ok()) {
    ADD_FAILURE() << gen.error().toString();
    return w;
  }
  auto district = store::loadGeoPackage(options.out);
  std::filesystem::remove_all(dir);
  if (!district.ok()) {
    ADD_FAILURE() << district.error().toString();
    return w;
  }
  auto registry = Registry::build(*district);
  if (!registry.ok()) {
    ADD_FAILURE() << registry.error().toString();
    return w;
  }
  w.registry = *registry;
  w.tagger = sharedTagger(*divisions);
  w.parser = makeRegistryParser(*w.registry, *divisions, w.tagger);
  w.matcher = std::make_shared<const Matcher>(w.registry, w.parser);
  w.geocoder = std::make_shared<const Geocoder>(w.matcher);
  return w;
}
}  // namespace

const AddressWorld& world() {
  static const AddressWorld w = build();
  return w;
}

}  // namespace gridtwin::address::test
