// Every role × every scope form (issue 11.4): none, 'all', a street, a
// community and a grid code, an unknown code, mixed levels, lists inside and
// across units. Each case is either refused with a message naming the role
// and the scope, or gives exactly the rows whose stored grid is in the
// expected set (worked out here from the district's own street/community
// links, not through Scope::parse).
#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "query/access.h"
#include "query/query.h"
#include "unit/query/synthetic_district.h"

namespace gridtwin::query {
namespace {

using model::Kind;

const Twin& twin() {
  static const std::unique_ptr<Twin> t = [] {
    auto s = test::syntheticDistrict(11);
    return std::move(Twin::build(std::move(s.district), s.staff, {true}).value());
  }();
  return *t;
}

struct Form {
  std::string name;
  std::string codes;
  // The grids it names, or nullopt for "none given".
  std::optional<std::set<std::uint32_t>> grids;
  // The levels it names and whether it stays in one street / community.
  bool all = false, street = false, community = false, grid = false;
  bool unknown = false;
};

std::vector<Form> forms() {
  const model::District& d = twin().district();
  const auto& grids = d.grids();
  const std::uint32_t n = static_cast<std::uint32_t>(grids.size());
  // Street 0, its first community, the first grid of that community; a grid
  // of the same community, one of another community of the same street, and
  // one of another street.
  const std::uint32_t g0 = 0;
  const std::uint32_t s0 = d.streetOfGrid(g0), c0 = d.communityOfGrid(g0);
  std::uint32_t sameCommunity = n, otherCommunity = n, otherStreet = n;
  for (std::uint32_t g = 1; g < n; ++g) {
    if (d.communityOfGrid(g) == c0 && sameCommunity == n) sameCommunity = g;
    if (d.communityOfGrid(g) != c0 && d.streetOfGrid(g) == s0 && otherCommunity == n) {
      otherCommunity = g;
    }
    if (d.streetOfGrid(g) != s0 && otherStreet == n) otherStreet = g;
  }
  EXPECT_LT(sameCommunity, n);
  EXPECT_LT(otherCommunity, n);
  EXPECT_LT(otherStreet, n);
  std::set<std::uint32_t> all, ofStreet, ofCommunity;
  for (std::uint32_t g = 0; g < n; ++g) {
    all.insert(g);
    if (d.streetOfGrid(g) == s0) ofStreet.insert(g);
    if (d.communityOfGrid(g) == c0) ofCommunity.insert(g);
  }
  const std::string street(d.streets().code[s0]), community(d.communities().code[c0]);
  const auto code = [&](std::uint32_t g) { return std::string(grids.code[g]); };
  auto with = [](std::set<std::uint32_t> s, std::uint32_t g) {
    s.insert(g);
    return s;
  };
  // name, codes, grids, all, street, community, grid, unknown
  return {
      {"none", "", std::nullopt},
      {"blank", " , ", std::nullopt, false, false, false, false, true},
      {"all", "all", all, true},
      {"street", street, ofStreet, false, true},
      {"community", community, ofCommunity, false, false, true},
      {"grid", code(g0), std::set<std::uint32_t>{g0}, false, false, false, true},
      {"unknown", "440604999", std::nullopt, false, false, false, false, true},
      {"unknown grid", "440604999999999", std::nullopt, false, false, false, false, true},
      {"grid list, one community", code(g0) + "," + code(sameCommunity),
       std::set<std::uint32_t>{g0, sameCommunity}, false, false, false, true},
      {"grid list, one street", code(g0) + ", " + code(otherCommunity),
       std::set<std::uint32_t>{g0, otherCommunity}, false, false, false, true},
      {"grid list, two streets", code(g0) + "," + code(otherStreet),
       std::set<std::uint32_t>{g0, otherStreet}, false, false, false, true},
      {"community + its grid", community + "," + code(sameCommunity), ofCommunity, false, false,
       true, true},
      {"community + grid of another community", community + "," + code(otherCommunity),
       with(ofCommunity, otherCommunity), false, false, true, true},
      {"street + grid of another street", street + "," + code(otherStreet),
       with(ofStreet, otherStreet), false, true, false, true},
      {"all + grid", "all," + code(g0), all, true, false, false, true},
      {"grid + unknown", code(g0) + ",440604999", std::nullopt, false, false, false, true, true},
  };
}

// The rule of access.h, restated: may `role` hold `f`?
bool allowed(Role role, const Form& f) {
  const model::District& d = twin().district();
  if (f.unknown) return false;
  if (!f.grids) return role == Role::kDistrict || role == Role::kPlanner;
  std::set<std::uint32_t> streets, communities;
  for (std::uint32_t g : *f.grids) {
    streets.insert(d.streetOfGrid(g));
    communities.insert(d.communityOfGrid(g));
  }
  switch (role) {
    case Role::kDistrict:
    case Role::kPlanner:
      return true;
    case Role::kStreet:
      return !f.all && streets.size() == 1;
    case Role::kCommunity:
      return !f.all && !f.street && communities.size() == 1;
    case Role::kGridHead:
      return !f.all && !f.street && !f.community && f.grid;
  }
  return false;
}

TEST(ScopeRules, EveryRoleTimesEveryScopeFormIsRefusedOrGivesExactlyItsGridsRows) {
  const Twin& t = twin();
  const std::size_t n = t.district().grids().size();
  const Access everything{Role::kDistrict, Scope::all(n)};
  const auto allRows = select(t, everything, Area::wholeScope(), KindSet::all()).value();
  int refused = 0, granted = 0;
  for (Role role :
       {Role::kDistrict, Role::kStreet, Role::kCommunity, Role::kGridHead, Role::kPlanner}) {
    for (const Form& f : forms()) {
      SCOPED_TRACE(std::string(name(role)) + " over " + f.name + " '" + f.codes + "'");
      auto access = makeAccess(t.district(), role, f.codes);
      if (!allowed(role, f)) {
        ASSERT_FALSE(access.ok());
        EXPECT_EQ(access.error().code, core::ErrorCode::kInvalidArgument);
        const std::string message = access.error().message;
        EXPECT_NE(message.find(std::string(name(role))), std::string::npos) << message;
        if (!f.codes.empty() && f.codes != " , ") {
          EXPECT_NE(message.find(f.codes), std::string::npos) << message;
        }
        ++refused;
        continue;
      }
      ASSERT_TRUE(access.ok()) << access.error().toString();
      const std::set<std::uint32_t> expected = f.grids ? *f.grids : std::set<std::uint32_t>([&] {
        std::set<std::uint32_t> s;
        for (std::uint32_t g = 0; g < n; ++g) s.insert(g);
        return s;
      }());
      const auto got = access->scope.grids();
      EXPECT_EQ(std::set<std::uint32_t>(got.begin(), got.end()), expected);
      auto sel = select(t, *access, Area::wholeScope(), KindSet::all());
      ASSERT_TRUE(sel.ok());
      for (Kind k : kQueryKinds) {
        std::vector<std::uint32_t> want;
        for (std::uint32_t row : allRows.of(k)) {
          if (expected.count(t.gridOf(k, row))) want.push_back(row);
        }
        EXPECT_EQ(sel->of(k), want) << model::kindTable(k);
      }
      ++granted;
    }
  }
  // The walk covers both outcomes for every role but the unrestricted ones.
  EXPECT_GT(refused, 20);
  EXPECT_GT(granted, 20);
}

TEST(ScopeRules, AGridHeadNeverHoldsAllOrACommunityOrStreetCode) {
  const model::District& d = twin().district();
  for (const std::string& codes :
       {std::string("all"), std::string(d.communities().code[0]), std::string(d.streets().code[0]),
        std::string(d.grids().code[0]) + ",all"}) {
    auto a = makeAccess(d, Role::kGridHead, codes);
    ASSERT_FALSE(a.ok()) << codes;
    EXPECT_NE(a.error().message.find("grid_head"), std::string::npos) << a.error().message;
    EXPECT_NE(a.error().message.find("grid codes"), std::string::npos) << a.error().message;
  }
  EXPECT_TRUE(makeAccess(d, Role::kGridHead, std::string(d.grids().code[0])).ok());
  EXPECT_EQ(scopeRule(Role::kGridHead), "one or more grid codes (15 digits)");
}

}  // namespace
}  // namespace gridtwin::query
