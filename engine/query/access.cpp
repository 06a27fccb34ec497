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

namespace {

// The level a scope code names.
enum class Level : std::uint8_t { kAll, kStreet, kCommunity, kGrid };

std::string_view levelName(Level level) {
  switch (level) {
    case Level::kAll:
      return "'all'";
    case Level::kStreet:
      return "a street";
    case Level::kCommunity:
      return "a community";
    case Level::kGrid:
      return "a grid";
  }
  return "?";
}

// One code of a scope and the grids under it.
struct ScopeCode {
  std::string_view code;
  Level level = Level::kGrid;
  std::vector<std::uint32_t> grids;
};

// Splits `codes` at commas and expands each code. Errors: an empty list, a
// code that names nothing.
core::Result<std::vector<ScopeCode>> parseCodes(const model::District& district,
                                                std::string_view codes) {
  const auto& grids = district.grids();
  std::vector<ScopeCode> out;
  std::size_t start = 0;
  while (start <= codes.size()) {
    const std::size_t comma = codes.find(',', start);
    const std::size_t end = comma == std::string_view::npos ? codes.size() : comma;
    const std::string_view code = trim(codes.substr(start, end - start));
    start = end + 1;
    if (!code.empty()) {
      ScopeCode c{code, Level::kGrid, {}};
      if (code == "all") {
        c.level = Level::kAll;
        for (std::uint32_t g = 0; g < grids.size(); ++g) c.grids.push_back(g);
      }
      for (std::uint32_t g = 0; g < grids.size() && c.grids.empty(); ++g) {
        if (grids.code[g] == code) c.grids.push_back(g);
      }
      if (c.grids.empty()) {
        // A community or street code: every grid under it.
        for (std::uint32_t g = 0; g < grids.size(); ++g) {
          const std::uint32_t community = grids.community[g];
          if (district.communities().code[community] == code) {
            c.level = Level::kCommunity;
            c.grids.push_back(g);
          } else if (district.streets().code[district.communities().street[community]] == code) {
            c.level = Level::kStreet;
            c.grids.push_back(g);
          }
        }
      }
      if (c.grids.empty()) {
        return makeError(ErrorCode::kInvalidArgument,
                         "no grid, community or street has the code '" + std::string(code) + "'",
                         "scope");
      }
      out.push_back(std::move(c));
    }
    if (comma == std::string_view::npos) break;
  }
  if (out.empty()) return makeError(ErrorCode::kInvalidArgument, "empty scope", "scope");
  return out;
}

// THE RULES of access.h as one table: what scope each role may hold.
struct ScopeRule {
  bool wholeByDefault;           // no scope given = the district
  bool mayHoldAll;               // "all"
  bool street, community, grid;  // the levels of code it may name
  bool withinOneStreet, withinOneCommunity;
  std::string_view forms;  // the rule in words, for messages
};

constexpr std::array<ScopeRule, 5> kScopeRules = {{
    // district
    {true, true, true, true, true, false, false, "any grid, community or street codes, or 'all'"},
    // street
    {false, false, true, true, true, true, false,
     "its street's code, or community or grid codes of that one street"},
    // community
    {false, false, false, true, true, false, true,
     "its community's code, or grid codes of that one community"},
    // grid_head
    {false, false, false, false, true, false, false, "one or more grid codes (15 digits)"},
    // planner
    {true, true, true, true, true, false, false, "any grid, community or street codes, or 'all'"},
}};

const ScopeRule& ruleOf(Role role) { return kScopeRules[static_cast<std::size_t>(role)]; }

bool allows(const ScopeRule& rule, Level level) {
  switch (level) {
    case Level::kAll:
      return rule.mayHoldAll;
    case Level::kStreet:
      return rule.street;
    case Level::kCommunity:
      return rule.community;
    case Level::kGrid:
      return rule.grid;
  }
  return false;
}

}  // namespace

core::Result<Scope> Scope::parse(const model::District& district, std::string_view codes) {
  auto parsed = parseCodes(district, codes);
  if (!parsed) return parsed.takeError();
  Scope scope = none(district.grids().size());
  for (const ScopeCode& c : *parsed) {
    for (std::uint32_t g : c.grids) scope.add(g);
  }
  return scope;
}

std::string_view scopeRule(Role role) { return ruleOf(role).forms; }

core::Result<Access> makeAccess(const model::District& district, Role role,
                                std::string_view scopeCodes) {
  const ScopeRule& rule = ruleOf(role);
  const std::string roleName(name(role));
  const auto refuse = [&](const std::string& why) {
    return makeError(ErrorCode::kInvalidArgument,
                     "role " + roleName + " cannot hold the scope '" +
                         std::string(trim(scopeCodes)) + "': " + why + " (a " + roleName +
                         " scope is " + std::string(rule.forms) + ")",
                     "scope");
  };
  Access access;
  access.role = role;
  if (trim(scopeCodes).empty()) {
    if (!rule.wholeByDefault) {
      return makeError(ErrorCode::kInvalidArgument,
                       "role " + roleName + " needs a scope (" + std::string(rule.forms) + ")",
                       "scope");
    }
    access.scope = Scope::all(district.grids().size());
    return access;
  }
  auto parsed = parseCodes(district, scopeCodes);
  if (!parsed) return refuse(parsed.error().message);
  access.scope = Scope::none(district.grids().size());
  for (const ScopeCode& c : *parsed) {
    if (!allows(rule, c.level)) {
      return refuse(c.level == Level::kAll ? std::string("'all' is not allowed")
                                           : "'" + std::string(c.code) + "' is " +
                                                 std::string(levelName(c.level)) + " code");
    }
    for (std::uint32_t g : c.grids) access.scope.add(g);
  }
  if (rule.withinOneStreet || rule.withinOneCommunity) {
    const std::string_view unit = rule.withinOneStreet ? "street" : "community";
    std::set<std::uint32_t> units;
    for (std::uint32_t g : access.scope.grids()) {
      units.insert(rule.withinOneStreet ? district.streetOfGrid(g) : district.communityOfGrid(g));
    }
    if (units.size() > 1) {
      return refuse("a " + roleName + " scope must lie within one " + std::string(unit) +
                    ", this one spans " + std::to_string(units.size()));
    }
  }
  return access;
}

}  // namespace gridtwin::query
