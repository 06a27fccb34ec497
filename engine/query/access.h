#pragma once
// Who is asking, and what they may see: a Role and a Scope (a set of grids).
// Every query in this module takes an Access and applies it: records whose
// grid is outside the scope are invisible in lists, counts and exports, and
// personal fields are masked unless the role's Disclosure allows them
// (private by default).
//
// THE RULES (see README.md for the why):
//
//   role        scope it may hold                     lists  person name  phone   ID number
//   district    any, 'all' (default: the district)    yes    plain        masked  masked
//   street      street/community/grid codes, ONE street  yes plain      masked  masked
//   community   community/grid codes, ONE community   yes    plain        plain   plain
//   grid_head   grid codes only (never 'all')         yes    plain        plain   masked
//   planner     any, 'all' (default: the district)    yes    masked       masked  masked
//
// Staff (station heads, grid workers) are officials: their names are shown
// to everyone; their phones to every role but planner. Legal entities'
// names and credit codes are public registration data (国家企业信用信息公示)
// and never masked. Only district and planner may hold a scope without
// naming it; the others must name theirs (no silent "everything").
//
// Thread-safety: Scope and Access are plain values; share them freely.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/district.h"

namespace gridtwin::query {

enum class Role : std::uint8_t { kDistrict, kStreet, kCommunity, kGridHead, kPlanner };

// "district", "street", "community", "grid_head" (also "grid-head"), "planner".
bool parseRole(std::string_view s, Role& out);
std::string_view name(Role role);

// What a role may see of personal fields, inside its scope.
struct Disclosure {
  bool personName = false;
  bool personPhone = false;
  bool personIdNumber = false;
  bool staffPhone = false;
};
Disclosure disclosureOf(Role role);

// A set of grid rows of one district. Membership is a byte per grid (478 at
// full scale): O(1) tests on the hot path of every filter.
class Scope {
 public:
  Scope() = default;
  static Scope all(std::size_t gridCount);
  static Scope none(std::size_t gridCount);
  // Comma-separated codes, each a grid (15 digits), community (12) or street
  // (9) code, expanded to the grids under it; "all" for the whole district.
  // Errors: kInvalidArgument naming the code that matches nothing, or an
  // empty list.
  static core::Result<Scope> parse(const model::District& district, std::string_view codes);

  void add(std::uint32_t grid);
  bool contains(std::uint32_t grid) const { return grid < m_in.size() && m_in[grid] != 0; }
  bool isAll() const { return m_count == m_in.size(); }
  std::size_t count() const { return m_count; }
  std::size_t gridCount() const { return m_in.size(); }
  // The grids in the scope, ascending.
  std::vector<std::uint32_t> grids() const;

 private:
  std::vector<std::uint8_t> m_in;
  std::size_t m_count = 0;
};

struct Access {
  Role role = Role::kPlanner;
  Scope scope;
  Disclosure disclosure() const { return disclosureOf(role); }
};

// The checked way to make an Access: applies the scope rules above (one
// table in access.cpp). An empty `scopeCodes` means the district for
// district and planner, and is kInvalidArgument for the others ("role street
// needs a scope ..."). Errors also (kInvalidArgument, the message naming the
// role and the scope): a code that matches nothing; 'all' or a code of a
// level the role may not hold (a community code for grid_head, a street
// code for community); a street scope spanning two streets, a community
// scope spanning two communities.
core::Result<Access> makeAccess(const model::District& district, Role role,
                                std::string_view scopeCodes);

// The scope forms `role` may hold, in words ("one or more grid codes ...").
std::string_view scopeRule(Role role);

}  // namespace gridtwin::query
