#include "query/access.h"

#include <array>
#include <set>

namespace gridtwin::query {
namespace {

using core::ErrorCode;
using core::makeError;

constexpr std::array<std::string_view, 5> kRoleNames = {"district", "street", "community",
                                                        "grid_head", "planner"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool parseRole(std::string_view s, Role& out) {
  s = trim(s);
  for (std::size_t i = 0; i < kRoleNames.size(); ++i) {
    if (s == kRoleNames[i]) {
      out = static_cast<Role>(i);
      return true;
    }
  }
  if (s == "grid-head") {
    out = Role::kGridHead;
    return true;
  }
  return false;
}

std::string_view name(Role role) { return kRoleNames[static_cast<std::size_t>(role)]; }

Disclosure disclosureOf(Role role) {
  switch (role) {
    case Role::kDistrict:
    case Role::kStreet:
      return {true, false, false, true};
    case Role::kCommunity:
      return {true, true, true, true};
    case Role::kGridHead:
      return {true, true, false, true};
    case Role::kPlanner:
      return {false, false, false, false};
  }
  return {};  // private by default, should a role be added and forgotten here
}

Scope Scope::all(std::size_t gridCount) {
  Scope s;
  s.m_in.assign(gridCount, 1);
  s.m_count = gridCount;
  return s;
}

Scope Scope::none(std::size_t gridCount) {
  Scope s;
  s.m_in.assign(gridCount, 0);
  return s;
}

void Scope::add(std::uint32_t grid) {
  if (grid < m_in.size() && !m_in[grid]) {
    m_in[grid] = 1;
    ++m_count;
  }
}

std::vector<std::uint32_t> Scope::grids() const {
  std::vector<std::uint32_t> out;
  out.reserve(m_count);
  for (std::size_t g = 0; g < m_in.size(); ++g) {
    if (m_in[g]) out.push_back(static_cast<std::uint32_t>(g));
  }
  return out;
}

core::Result<Scope> Scope::parse(const model::District& district, std::string_view codes) {
  const auto& grids = district.grids();
  Scope scope = none(grids.size());
  std::size_t start = 0;
  bool any = false;
  while (start <= codes.size()) {
    const std::size_t comma = codes.find(',', start);
    const std::size_t end = comma == std::string_view::npos ? codes.size() : comma;
    const std::string_view code = trim(codes.substr(start, end - start));
    start = end + 1;
    if (code.empty()) {
      if (comma == std::string_view::npos) break;
      continue;
    }
    any = true;
    bool matched = false;
    if (code == "all") {
      scope = all(grids.size());
      matched = true;
    }
    for (std::uint32_t g = 0; g < grids.size() && !matched; ++g) {
      if (grids.code[g] == code) {
        scope.add(g);
        matched = true;
      }
    }
    if (!matched) {
      // A community or street code: every grid under it.
      for (std::uint32_t g = 0; g < grids.size(); ++g) {
        const std::uint32_t c = grids.community[g];
        if (district.communities().code[c] == code ||
            district.streets().code[district.communities().street[c]] == code) {
          scope.add(g);
          matched = true;
        }
      }
    }
    if (!matched) {
      return makeError(ErrorCode::kInvalidArgument,
                       "no grid, community or street has the code '" + std::string(code) + "'",
                       "scope");
    }
    if (comma == std::string_view::npos) break;
  }
  if (!any) return makeError(ErrorCode::kInvalidArgument, "empty scope", "scope");
  return scope;
}

core::Result<Access> makeAccess(const model::District& district, Role role,
                                std::string_view scopeCodes) {
  Access access;
  access.role = role;
  if (trim(scopeCodes).empty()) {
    if (role != Role::kDistrict && role != Role::kPlanner) {
      return makeError(
          ErrorCode::kInvalidArgument,
          "role " + std::string(name(role)) + " needs a scope (grid, community or street codes)",
          "scope");
    }
    access.scope = Scope::all(district.grids().size());
    return access;
  }
  auto scope = Scope::parse(district, scopeCodes);
  if (!scope) return scope.takeError();
  access.scope = std::move(*scope);
  if (role == Role::kStreet || role == Role::kCommunity) {
    std::set<std::uint32_t> units;
    for (std::uint32_t g : access.scope.grids()) {
      units.insert(role == Role::kStreet ? district.streetOfGrid(g) : district.communityOfGrid(g));
    }
    if (units.size() > 1) {
      return makeError(ErrorCode::kInvalidArgument,
                       "a " + std::string(name(role)) + " scope must lie within one " +
                           std::string(name(role)) + ", this one spans " +
                           std::to_string(units.size()),
                       "scope");
    }
  }
  return access;
}

}  // namespace gridtwin::query
