// address.*: parse + normalize + match of noisy address variants against the
// whole registry of the dataset, one thread (issue 5's targets: >= 50,000
// addresses/s per core, >= 98% right, <= 0.5% wrong). No anchor: no C or C++
// library parses Chinese addresses (libpostal is not packaged and fails on
// them), so the figures stand alone and the note says so.
#include <cstdio>

#include "address/gazetteer.h"
#include "address/matcher.h"
#include "address/parser.h"
#include "address/registry.h"
#include "address/variants.h"
#include "bench.h"
#include "store/gpkg_reader.h"

namespace gridtwin::bench {
namespace {
constexpr std::size_t kVariants = 20'000;
}  // namespace

core::Result<std::vector<Figure>> runAddress(Context& ctx) {
  const std::string dataset = ctx.dataset;
  const std::string taggerPath = ctx.workDir + "/address_tagger_bench.bin";
  auto reply = inChild("address matching", [&]() -> core::Result<nlohmann::json> {
    auto opened = store::openDataset(dataset);
    if (!opened) return opened.takeError();
    auto registry = address::Registry::build(opened->district);
    if (!registry) return registry.takeError();
    auto divisions = std::make_shared<address::Gazetteer>();
    if (auto r = divisions->addDivisions(std::string(GRIDTWIN_SHARED_DATA) + "/divisions"); !r) {
      return r.takeError();
    }
    auto tagger = address::loadOrTrainTagger(
        taggerPath, std::string(GRIDTWIN_SHARED_DATA) + "/addresses/naacl2019", *divisions);
    if (!tagger) return tagger.takeError();
    const address::Matcher matcher(*registry,
                                   address::makeRegistryParser(**registry, *divisions, *tagger));
    const auto variants = address::makeNoisyVariants(**registry, kVariants);
    std::size_t right = 0, wrong = 0;
    const auto t0 = Clock::now();
    for (const auto& v : variants) {
      auto m = matcher.match(v.text);
      if (!m) return m.takeError();
      if (m->status == address::MatchStatus::kMatched) {
        (m->address == static_cast<std::int64_t>(v.truth) ? right : wrong) += 1;
      }
    }
    const double seconds = secondsSince(t0);
    return nlohmann::json{{"seconds", seconds},
                          {"right", right},
                          {"wrong", wrong},
                          {"registry", (*registry)->size()}};
  });
  if (!reply) return reply.takeError();
  const auto& r = *reply;
  const double n = static_cast<double>(kVariants);
  char note[300];
  std::snprintf(note, sizeof note,
                "no anchor: no C/C++ library parses Chinese addresses; %zu noisy variants (typos, "
                "missing levels, numerals, traditional characters, noise, swapped order) against "
                "%zu registry addresses, one thread",
                kVariants, r["registry"].get<std::size_t>());
  return std::vector<Figure>{
      {"address.match_per_second", n / r["seconds"].get<double>(), "addresses/s", true,
       std::nullopt, std::nullopt, note},
      {"address.right_share", r["right"].get<double>() / n, "share", true, std::nullopt,
       std::nullopt, note},
      {"address.wrong_share", r["wrong"].get<double>() / n, "share", false, std::nullopt,
       std::nullopt, note},
  };
}

}  // namespace gridtwin::bench
