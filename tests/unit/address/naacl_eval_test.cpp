// The parser against the real labelled addresses (NAACL-2019): trained on
// train+dev, scored on test only, span-level P/R/F1 per component printed.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>

#include "address/corpus.h"
#include "address/gazetteer.h"
#include "address/parser.h"
#include "address/tagger.h"
#include "address/text.h"

namespace gridtwin::address {
namespace {

const std::string kNaacl = std::string(GRIDTWIN_SHARED_DATA) + "/addresses/naacl2019";

TEST(NaaclEvaluation, TaggerReachesNinetyMicroF1OnTest) {
  auto train = readNaacl(kNaacl + "/train.txt");
  ASSERT_TRUE(train.ok()) << train.error().toString() << " (../shared/data is required)";
  auto dev = readNaacl(kNaacl + "/dev.txt");
  ASSERT_TRUE(dev.ok()) << dev.error().toString();
  auto test = readNaacl(kNaacl + "/test.txt");
  ASSERT_TRUE(test.ok()) << test.error().toString();
  Gazetteer gaz;
  ASSERT_TRUE(gaz.addDivisions(std::string(GRIDTWIN_SHARED_DATA) + "/divisions").ok());
  std::vector<TaggedText> corpus = std::move(*train);
  corpus.insert(corpus.end(), dev->begin(), dev->end());
  const auto t0 = std::chrono::steady_clock::now();
  auto tagger = std::make_shared<const Tagger>(Tagger::train(corpus, gaz));
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "trained on " << corpus.size() << " addresses in " << secs << " s, "
            << tagger->featureCount() << " features\n";
  // What `gridtwin parse` does: the rules (noise, direction, intersections,
  // village groups) and the tagger on the rest.
  const Parser parser(std::make_shared<Gazetteer>(gaz), tagger);
  Evaluation eval;
  std::vector<std::uint8_t> tags;
  for (const auto& t : *test) {
    parser.tagCodePoints(t.text, tags);
    eval.add(t.tags, tags);
  }
  std::cout << eval.table();
  const auto core =
      eval.micro({Component::kProv, Component::kCity, Component::kDistrict, Component::kTown,
                  Component::kRoad, Component::kRoadno, Component::kHouseno, Component::kCellno,
                  Component::kFloorno, Component::kRoomno});
  std::cout << "micro-F1 (prov city district town road roadno houseno cellno floorno roomno): "
            << core.f1() << "\nmicro-F1 (all): " << eval.microAll().f1() << "\n";
  EXPECT_GE(core.f1(), 0.90);
}

}  // namespace
}  // namespace gridtwin::address
