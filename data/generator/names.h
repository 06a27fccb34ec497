#pragma once
// Names for the reference dataset: people, phone numbers, legal entities and
// roads, with a Foshan / Chancheng flavour (Cantonese surnames such as 梁 何
// 冯 麦 区 关; entity names built on the district's industries; road stems
// such as 汾江 季华 绿景 祖庙).
//
// Every function draws only from the Rng passed in, so output is a pure
// function of the Rng state. Tables are immutable statics built on first use
// (thread-safe initialisation), after which any thread may call concurrently
// with its own Rng. personName and mobilePhone return strings that fit the
// small-string buffer (at most 12 bytes), so millions of calls do not touch
// the heap; entityName and roadName allocate once per call.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/error.h"
#include "rng.h"

namespace gridtwin::generator {

// A person's full name: a surname (a few are two characters, 欧阳 司徒) and
// a given name of 1 or 2 characters drawn from a sex-specific pool.
std::string personName(Rng& rng, bool male);

// An 11-digit mainland mobile number with a real carrier prefix (13x 14x 15x
// 16x 17x 18x 19x), weighted towards the common ones.
std::string mobilePhone(Rng& rng);

struct Industry {
  std::string_view name;   // the catalogue name used everywhere: "陶瓷", "餐饮"
  double weight;           // share of legal entities in Chancheng
  double individualShare;  // chance an entity is an individual business (个体工商户)
  bool manufacturing;      // may be registered as a factory (…厂)
  std::span<const std::string_view> companyWords;  // scope in a company name: "陶瓷", "建材"
  std::span<const std::string_view> shopWords;     // an individual's shop: "餐饮店", "士多店"
};

// The industries of Chancheng legal entities, in a fixed order.
std::span<const Industry> industries();
// The industry named `name`, or nullptr.
const Industry* findIndustry(std::string_view name);
// An industry drawn by weight.
const Industry& pickIndustry(Rng& rng);

// A legal entity name for the industry (a name from industries(); an unknown
// name is used verbatim as the business scope):
//   佛山市禅城区恒达五金制品有限公司   (company)
//   禅城区张槎街道宏盛纺织厂          (factory)
//   佛山市禅城区陈记餐饮店（个体工商户） (individual business; full-width
//   parentheses, as registered)
std::string entityName(Rng& rng, std::string_view industry);

// Road classes the generator lays out, from the widest to the narrowest.
enum class RoadClass { kExpressway, kArterial, kSecondary, kBranch, kLane };

// A plausible road name for the class: 季华五路, 汾江中路, 绿景东路, 福贤直街,
// 莲花二巷. Names repeat across calls; use RoadNamer for unique names.
std::string roadName(Rng& rng, RoadClass roadClass);

// Hands out road names that are unique within one namer (a district needs
// ~2,000 distinct names). When random draws keep colliding it numbers the
// stem (季华十一路), so it always succeeds. Not thread-safe: one per district.
class RoadNamer {
 public:
  // Marks a name as taken (a real name placed first); false when already taken.
  bool reserve(std::string_view name);
  std::string next(Rng& rng, RoadClass roadClass);
  std::size_t size() const { return m_used.size(); }

 private:
  std::unordered_set<std::string> m_used;
};

// Real road names of Foshan from the labelled address corpus in naaclDir (the
// NAACL 2019 Chinese address parsing set: one "token TAG" per line, BIO tags,
// blank line between addresses). Reads train.txt and dev.txt only — never
// test.txt, which is held out for evaluating the address parser. An address
// counts as Foshan when one of its spans is 佛山/禅城 or a Foshan district
// (禅城区 南海区 顺德区 三水区 高明区, or the bare name labelled district);
// a mere substring such as 南海 is not enough (南海大道 is in Shenzhen).
// Returns the `road` spans of those addresses, deduplicated and sorted
// bytewise. Errors (kIo, kSyntax) name the file and line.
core::Result<std::vector<std::string>> realFoshanRoadNames(const std::string& naaclDir);

}  // namespace gridtwin::generator
