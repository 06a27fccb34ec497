#include "auth.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace gridtwin::service {

using core::ErrorCode;
using core::makeError;

TokenTable TokenTable::anonymousOnly(const model::District& district) {
  TokenTable t;
  auto c = std::make_shared<Caller>();
  c->name = "anonymous";
  c->anonymous = true;
  c->access.role = query::Role::kPlanner;
  c->access.scope = query::Scope::all(district.grids().size());
  t.m_anonymous = std::move(c);
  return t;
}

core::Result<TokenTable> TokenTable::load(const std::string& path,
                                          const model::District& district) {
  TokenTable t = anonymousOnly(district);
  std::ifstream in(path);
  if (!in) return makeError(ErrorCode::kIo, "--tokens: cannot read '" + path + "'");
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const std::string where = path + ":" + std::to_string(n);
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string token, role, scope, extra;
    if (!(words >> token)) continue;
    if (!(words >> role)) {
      return makeError(ErrorCode::kInvalidArgument,
                       where + ": a token needs a role (TOKEN ROLE [SCOPE])");
    }
    words >> scope;
    if (words >> extra) {
      return makeError(ErrorCode::kInvalidArgument,
                       where + ": unexpected '" + extra +
                           "' after the scope (codes are comma-separated, without spaces)");
    }
    query::Role r;
    if (!query::parseRole(role, r)) {
      return makeError(ErrorCode::kInvalidArgument,
                       where + ": unknown role '" + role +
                           "' (district, street, community, grid_head, planner)");
    }
    auto access = query::makeAccess(district, r, scope);
    if (!access)
      return makeError(ErrorCode::kInvalidArgument, where + ": " + access.error().message);
    if (t.m_tokens.count(token)) {
      return makeError(ErrorCode::kInvalidArgument, where + ": the token is given twice");
    }
    auto c = std::make_shared<Caller>();
    c->name = "tokens:" + std::to_string(n);
    c->anonymous = false;
    c->access = std::move(*access);
    t.m_tokens.emplace(token, std::move(c));
  }
  return t;
}

std::vector<std::shared_ptr<const Caller>> TokenTable::callers() const {
  std::vector<std::shared_ptr<const Caller>> out;
  for (const auto& [token, caller] : m_tokens) out.push_back(caller);
  std::stable_partition(out.begin(), out.end(),
                        [](const auto& c) { return c->access.scope.isAll(); });
  out.push_back(m_anonymous);
  return out;
}

std::optional<Response> TokenTable::authenticate(Request& req) const {
  const std::string_view auth = req.header("authorization");
  if (auth.empty()) {
    req.caller = m_anonymous;
    return std::nullopt;
  }
  const auto unauthorized = [](std::string_view why) {
    Response r = Response::error(401, "Unauthorized", why);
    r.header("WWW-Authenticate", "Bearer realm=\"gridtwin\"");
    return r;
  };
  constexpr std::string_view kBearer = "Bearer ";
  if (auth.size() <= kBearer.size() || auth.substr(0, kBearer.size()) != kBearer) {
    return unauthorized("the Authorization header must be 'Bearer TOKEN'");
  }
  std::string_view token = auth.substr(kBearer.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  const auto it = m_tokens.find(token);
  if (it == m_tokens.end()) return unauthorized("the bearer token is not known to this server");
  req.caller = it->second;
  return std::nullopt;
}

}  // namespace gridtwin::service
