#include <gtest/gtest.h>

#include "query/access.h"
#include "unit/query/synthetic_district.h"

namespace gridtwin::query {
namespace {

const model::District& district() {
  static const model::District d = test::syntheticDistrict(7, 1).district;
  return d;
}

TEST(Access, ParsesRoleNames) {
  Role r;
  ASSERT_TRUE(parseRole("grid_head", r));
  EXPECT_EQ(r, Role::kGridHead);
  ASSERT_TRUE(parseRole("grid-head", r));
  ASSERT_TRUE(parseRole("planner", r));
  EXPECT_EQ(name(r), "planner");
  EXPECT_FALSE(parseRole("admin", r));
}

TEST(Access, ScopeCodesExpandToTheGridsUnderThem) {
  auto street = Scope::parse(district(), "440604001");
  ASSERT_TRUE(street.ok());
  EXPECT_EQ(street->count(), 8u);
  auto community = Scope::parse(district(), "440604001001");
  ASSERT_TRUE(community.ok());
  EXPECT_EQ(community->count(), 4u);
  auto grids = Scope::parse(district(), std::string(district().grids().code[0]) + ", " +
                                            std::string(district().grids().code[5]));
  ASSERT_TRUE(grids.ok());
  EXPECT_EQ(grids->grids(), (std::vector<std::uint32_t>{0, 5}));
  EXPECT_TRUE(Scope::parse(district(), "all")->isAll());
  auto bad = Scope::parse(district(), "440604999");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("440604999"), std::string::npos);
  EXPECT_FALSE(Scope::parse(district(), " , ").ok());
}

TEST(Access, OnlyDistrictAndPlannerGetTheWholeDistrictByDefault) {
  EXPECT_TRUE(makeAccess(district(), Role::kDistrict, "")->scope.isAll());
  EXPECT_TRUE(makeAccess(district(), Role::kPlanner, "")->scope.isAll());
  for (Role r : {Role::kStreet, Role::kCommunity, Role::kGridHead}) {
    auto a = makeAccess(district(), r, "");
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.error().code, core::ErrorCode::kInvalidArgument);
  }
}

TEST(Access, StreetAndCommunityScopesStayInsideOneUnit) {
  EXPECT_TRUE(makeAccess(district(), Role::kStreet, "440604001").ok());
  EXPECT_FALSE(makeAccess(district(), Role::kStreet, "440604001,440604002").ok());
  EXPECT_TRUE(makeAccess(district(), Role::kCommunity, "440604001001").ok());
  EXPECT_FALSE(makeAccess(district(), Role::kCommunity, "440604001").ok());  // two communities
  // A grid head names its grids; a community code is refused (issue 11.4).
  EXPECT_FALSE(makeAccess(district(), Role::kGridHead, "440604001001").ok());
  EXPECT_FALSE(makeAccess(district(), Role::kGridHead, "all").ok());
  EXPECT_FALSE(makeAccess(district(), Role::kStreet, "all").ok());
  EXPECT_FALSE(makeAccess(district(), Role::kCommunity, "all").ok());
}

TEST(Access, PrivateByDefault) {
  const Disclosure planner = disclosureOf(Role::kPlanner);
  EXPECT_FALSE(planner.personName || planner.personPhone || planner.personIdNumber ||
               planner.staffPhone);
  EXPECT_TRUE(disclosureOf(Role::kCommunity).personIdNumber);
  EXPECT_FALSE(disclosureOf(Role::kGridHead).personIdNumber);
  EXPECT_FALSE(disclosureOf(Role::kDistrict).personPhone);
}

}  // namespace
}  // namespace gridtwin::query
