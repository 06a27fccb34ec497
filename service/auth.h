#pragma once
// Who may see what over HTTP: bearer tokens mapped to the engine's roles and
// scopes (query/access.h), read from a tokens file:
//
//   # comment
//   TOKEN ROLE [SCOPE]        e.g.  s3cr3t grid_head 440604001001001
//
// A request without Authorization is anonymous: the most restrictive role
// (planner: every personal field masked) over the whole district, and the
// service leaves personal fields out of its answers altogether. An unknown
// token is 401; a malformed Authorization header is 401 too.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "http.h"
#include "model/district.h"
#include "query/access.h"

namespace gridtwin::service {

struct Caller {
  std::string name;  // the token's line "tokens:3", or "anonymous"
  bool anonymous = true;
  query::Access access;
};

class TokenTable {
 public:
  // Errors: kIo when the file cannot be read; kInvalidArgument naming
  // file:line for a line without a role, an unknown role, a scope the role
  // may not hold (makeAccess's message), or a token given twice.
  static core::Result<TokenTable> load(const std::string& path, const model::District& district);
  // No tokens: everyone is anonymous.
  static TokenTable anonymousOnly(const model::District& district);

  // Sets req.caller, or returns the 401 to answer.
  std::optional<Response> authenticate(Request& req) const;
  std::size_t size() const { return m_tokens.size(); }
  const std::shared_ptr<const Caller>& anonymous() const { return m_anonymous; }
  // Every caller this table can name: the tokens whose scope is the whole
  // district first, then the others, the anonymous caller last.
  std::vector<std::shared_ptr<const Caller>> callers() const;

 private:
  std::map<std::string, std::shared_ptr<const Caller>, std::less<>> m_tokens;
  std::shared_ptr<const Caller> m_anonymous;
};

}  // namespace gridtwin::service
