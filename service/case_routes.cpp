#include <chrono>
#include <nlohmann/json.hpp>

#include "auth.h"
#include "wire_routes.h"

namespace gridtwin::service {
namespace {

// Cases are not public: a token is needed to post, read or move one.
std::optional<Response> needToken(const Request& req) {
  if (req.caller && !req.caller->anonymous) return std::nullopt;
  Response r = Response::error(401, "Unauthorized",
                               "cases: a bearer token is needed to post, read or change cases");
  r.header("WWW-Authenticate", "Bearer");
  return r;
}

// A follower (service/case_replication.h) takes no write: 503, so that a
// client or load balancer tries again, and a body naming where writes go.
// The writer's address is not known here (servers do not know each
// other's listen addresses, only the database's lock); /health's "role"
// tells a load balancer which server writes.
std::optional<Response> needWriter(const cases::Intake& intake, std::string_view where) {
  if (intake.writable()) return std::nullopt;
  Response r = Response::error(
      503, "ReadOnlyFollower",
      std::string(where) + ": this server follows the case writer of " + intake.store().describe() +
          " and serves reads only; post and change cases through the writer (the gridtwin serve "
          "whose /health says \"role\": \"writer\")");
  r.header("Retry-After", "1");
  r.header("X-Gridtwin-Role", "follower");
  return r;
}

Response caseError(const core::Error& e, std::string_view where) {
  const int status = cases::httpStatus(e);
  const char* code = status == 400   ? "BadRequest"
                     : status == 404 ? "NotFound"
                     : status == 409 ? "Conflict"
                     : status == 422 ? "UnprocessableEntity"
                                     : "ServiceUnavailable";
  return Response::error(status, code, std::string(where) + ": " + e.toString());
}

bool parseId(const std::string& s, std::int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

CaseRoutes::CaseRoutes(cases::Intake& intake, std::shared_ptr<EventHub> hub)
    : m_intake(intake), m_hub(std::move(hub)) {
  std::weak_ptr<EventHub> weak = m_hub;
  m_intake.setListener([weak](const cases::Case& c) {
    auto target = weak.lock();
    if (!target) return;
    // A case carries no personal field (no reporter's name or phone): the
    // same text for every role; only who receives it depends on the scope.
    const std::string text = cases::toJson(c);
    target->publishTo([&c](const query::Access& a) { return cases::Intake::visible(c, a); },
                      [&text](const query::Access&) { return text; }, "case");
  });
}

void CaseRoutes::addRoutes(Router& router) {
  (void)router.add("POST", "/cases", [this](const Request& req) {
    if (auto r = needToken(req)) return *r;
    if (auto r = needWriter(m_intake, "POST /cases")) return *r;
    auto parsed = cases::parseCaseRequest(req.body);
    if (!parsed) return caseError(parsed.error(), "POST /cases");
    auto outcome = m_intake.submit(*parsed, req.caller->access);
    if (!outcome) return caseError(outcome.error(), "POST /cases");
    Response res = Response::json(cases::toJson(*outcome), cases::httpStatus(*outcome));
    res.header("Location", req.baseUrl + "/cases/" + std::to_string(outcome->c.id));
    return res;
  });
  (void)router.add("GET", "/cases", [this](const Request& req) {
    if (auto r = needToken(req)) return *r;
    std::string body = "{\"cases\":[";
    bool first = true;
    for (const auto& c : m_intake.list(req.caller->access)) {
      if (!first) body += ',';
      first = false;
      body += cases::toJson(c);
    }
    body += "]}";
    return Response::json(std::move(body));
  });
  (void)router.add("GET", "/cases/{id}", [this](const Request& req) {
    if (auto r = needToken(req)) return *r;
    std::int64_t id = 0;
    if (!parseId(req.param("id"), id)) {
      return Response::error(404, "NotFound", "case '" + req.param("id") + "': no such case");
    }
    auto c = m_intake.get(id, req.caller->access);
    if (!c) return caseError(c.error(), "case " + req.param("id"));
    return Response::json(cases::toJson(*c));
  });
  (void)router.add("PATCH", "/cases/{id}", [this](const Request& req) {
    if (auto r = needToken(req)) return *r;
    const std::string where = "PATCH /cases/" + req.param("id");
    if (auto r = needWriter(m_intake, where)) return *r;
    std::int64_t id = 0;
    if (!parseId(req.param("id"), id)) {
      return Response::error(404, "NotFound", "case '" + req.param("id") + "': no such case");
    }
    const auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return Response::error(400, "BadRequest",
                             where +
                                 ": the body is not a JSON object "
                                 "{\"to\": STATE, \"who\": NAME, \"note\": TEXT}");
    }
    const auto str = [&](const char* key, std::string& out) -> std::optional<Response> {
      if (!body.contains(key)) return std::nullopt;
      if (!body[key].is_string()) {
        return Response::error(422, "UnprocessableEntity",
                               where + ": '" + key + "' must be a string, got " + body[key].dump());
      }
      out = body[key].get<std::string>();
      return std::nullopt;
    };
    std::string to, who, note;
    cases::Amendment amendment;
    for (const auto& [key, out] :
         {std::pair{"to", &to}, std::pair{"who", &who}, std::pair{"note", &note},
          std::pair{"grid", &amendment.gridCode}, std::pair{"category", &amendment.category}}) {
      if (auto r = str(key, *out)) return *r;
    }
    for (const auto& [key, value] : body.items()) {
      if (key != "to" && key != "who" && key != "note" && key != "grid" && key != "category") {
        return Response::error(
            422, "UnprocessableEntity",
            where + ": unknown field '" + key + "' (to, who, note, grid, category)");
      }
    }
    cases::State state;
    if (!cases::parseState(to, state)) {
      return Response::error(422, "UnprocessableEntity",
                             where + ": 'to': unknown state '" + to +
                                 "' (reported, classified, handling, follow_up, closed)");
    }
    auto c = m_intake.transition(id, state, who, now(), note, req.caller->access, amendment);
    if (!c) return caseError(c.error(), where);
    return Response::json(cases::toJson(*c));
  });
}

}  // namespace gridtwin::service
