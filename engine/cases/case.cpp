#include "cases/case.h"

#include <array>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/time.h"
#include "crs/crs.h"

namespace gridtwin::cases {
namespace {

using core::ErrorCode;
using core::makeError;
using Json = nlohmann::json;

constexpr std::array<std::string_view, 5> kSourceNames = {"12345", "12319", "grid_app", "police",
                                                          "petition"};
constexpr std::array<std::string_view, kStateCount> kStateNames = {
    "reported", "classified", "handling",    "follow_up",
    "closed",   "to_locate",  "to_classify", "outside_district"};
constexpr std::array<std::string_view, kStateCount> kStateLabels = {
    "发现上报", "分类推送",   "协同处理",   "跟踪回访",
    "评价结案", "待人工定位", "待人工分类", "辖区外"};
constexpr std::array<std::string_view, 4> kLevelNames = {"grid", "community", "department",
                                                         "street"};
constexpr std::array<std::string_view, 3> kSeverityNames = {"normal", "serious", "major"};

template <class E, std::size_t N>
bool parseName(std::string_view s, const std::array<std::string_view, N>& names, E& out) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == s) {
      out = static_cast<E>(i);
      return true;
    }
  }
  return false;
}

// The legal moves: kLegal[from][to].
constexpr bool legal(State from, State to) {
  using S = State;
  switch (from) {
    case S::kReported:
      return to == S::kClassified;
    case S::kClassified:
      return to == S::kHandling;
    case S::kHandling:
      return to == S::kFollowUp;
    case S::kFollowUp:
      return to == S::kClosed || to == S::kHandling;
    case S::kClosed:
      return false;
    case S::kToLocate:
    case S::kToClassify:
      return to == S::kReported || to == S::kClosed;
    case S::kOutside:
      return to == S::kClosed;
  }
  return false;
}

std::string shown(const Json& v) {
  std::string s = v.dump();
  if (s.size() > 80) s = s.substr(0, 80) + "…";
  return s;
}

core::Error fieldError(std::string_view field, std::string message) {
  return makeError(ErrorCode::kInvalidArgument, std::move(message), std::string(field));
}

core::Result<std::string> stringField(const Json& o, std::string_view field, bool required,
                                      std::size_t maxBytes) {
  const auto it = o.find(field);
  if (it == o.end() || it->is_null()) {
    if (required) return fieldError(field, "missing (required)");
    return std::string();
  }
  if (!it->is_string()) return fieldError(field, "must be a string, got " + shown(*it));
  std::string s = it->get<std::string>();
  if (s.size() > maxBytes) {
    return fieldError(field, "longer than " + std::to_string(maxBytes) + " bytes");
  }
  return s;
}

Json pointJson(const geo::Point& p) { return Json::array({p.x, p.y}); }

}  // namespace

bool parseSource(std::string_view s, Source& out) { return parseName(s, kSourceNames, out); }
std::string_view name(Source s) { return kSourceNames[static_cast<std::size_t>(s)]; }
model::EventSource eventSourceOf(Source s) {
  switch (s) {
    case Source::kHotline12345:
      return model::EventSource::kHotline12345;
    case Source::kHotline12319:
      return model::EventSource::kHotline12319;
    case Source::kGridApp:
      return model::EventSource::kPatrol;
    case Source::kPolice:
      return model::EventSource::kPolice;
    case Source::kPetition:
      return model::EventSource::kPetition;
  }
  return model::EventSource::kHotline12345;
}

bool parseState(std::string_view s, State& out) {
  return parseName(s, kStateNames, out) || parseName(s, kStateLabels, out);
}
std::string_view name(State s) { return kStateNames[static_cast<std::size_t>(s)]; }
std::string_view label(State s) { return kStateLabels[static_cast<std::size_t>(s)]; }
std::optional<model::EventStatus> eventStatusOf(State s) {
  if (static_cast<std::size_t>(s) <= static_cast<std::size_t>(State::kClosed)) {
    return static_cast<model::EventStatus>(s);  // the five steps share their order
  }
  return std::nullopt;
}
bool isLegal(State from, State to) { return legal(from, to); }

bool parseLevel(std::string_view s, Level& out) { return parseName(s, kLevelNames, out); }
std::string_view name(Level l) { return kLevelNames[static_cast<std::size_t>(l)]; }
model::DispatchLevel dispatchLevelOf(Level l) {
  switch (l) {
    case Level::kGrid:
      return model::DispatchLevel::kGrid;
    case Level::kCommunity:
      return model::DispatchLevel::kCommunity;
    case Level::kDepartment:
      return model::DispatchLevel::kDistrict;
    case Level::kStreet:
      return model::DispatchLevel::kStreet;
  }
  return model::DispatchLevel::kGrid;
}

bool parseSeverity(std::string_view s, Severity& out) { return parseName(s, kSeverityNames, out); }
std::string_view name(Severity s) { return kSeverityNames[static_cast<std::size_t>(s)]; }

core::Result<CaseRequest> parseCaseRequest(std::string_view text) {
  // Bounds on what one case may carry: a hotline record's free text is a
  // few hundred characters; 64 KiB leaves room and keeps a journal line small.
  constexpr std::size_t kMaxText = 64 * 1024;
  constexpr std::size_t kMaxShort = 256;  // ids, category, CRS name
  constexpr std::size_t kMaxAddress = 1024;
  Json o;
  try {
    o = Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    return makeError(
        ErrorCode::kSyntax,
        std::string("malformed JSON at byte ") + std::to_string(e.byte) + ": " + e.what(), "body");
  }
  if (!o.is_object()) return makeError(ErrorCode::kSyntax, "expected a JSON object", "body");
  static constexpr std::array<std::string_view, 9> kFields = {
      "source",   "external_id", "address", "point",      "crs",
      "category", "severity",    "text",    "reported_at"};
  for (const auto& [key, value] : o.items()) {
    bool known = false;
    for (auto f : kFields) known = known || f == key;
    if (!known) return fieldError(key, "unknown field");
  }
  CaseRequest r;
  auto source = stringField(o, "source", true, kMaxShort);
  if (!source) return source.takeError();
  if (!parseSource(*source, r.source)) {
    return fieldError("source",
                      "'" + *source + "' is not one of 12345, 12319, grid_app, police, petition");
  }
  auto id = stringField(o, "external_id", true, kMaxShort);
  if (!id) return id.takeError();
  if (id->empty()) return fieldError("external_id", "must not be empty");
  r.externalId = std::move(*id);

  if (auto it = o.find("address"); it != o.end() && !it->is_null()) {
    auto a = stringField(o, "address", false, kMaxAddress);
    if (!a) return a.takeError();
    if (a->find_first_not_of(" \t\r\n") == std::string::npos) {
      return fieldError("address", "must not be blank");
    }
    r.address = std::move(*a);
  }
  auto crsText = stringField(o, "crs", false, kMaxShort);
  if (!crsText) return crsText.takeError();
  if (auto it = o.find("point"); it != o.end() && !it->is_null()) {
    if (!it->is_array() || it->size() != 2 || !(*it)[0].is_number() || !(*it)[1].is_number()) {
      return fieldError("point", "must be [lon, lat] (two numbers), got " + shown(*it));
    }
    const geo::Point p{(*it)[0].get<double>(), (*it)[1].get<double>()};
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) {
      return fieldError("point", "coordinates must be finite, got " + shown(*it));
    }
    r.point = p;
  }
  if (!crsText->empty()) {
    if (!r.point) return fieldError("crs", "given without a point");
    auto c = crs::parseCrs(*crsText);
    if (!c) return fieldError("crs", c.error().message);
    r.crs = crs::name(*c);
  }
  if (!r.address && !r.point) return fieldError("address", "give an address, a point or both");

  const auto cat = o.find("category");
  if (cat == o.end() || cat->is_null()) return fieldError("category", "missing (required)");
  if (cat->is_string()) {
    r.category = cat->get<std::string>();
    if (r.category.empty()) return fieldError("category", "must not be empty");
    if (r.category.size() > kMaxShort) return fieldError("category", "too long");
  } else if (cat->is_number_integer() || cat->is_number_unsigned()) {
    if (cat->is_number_integer() && cat->get<std::int64_t>() <= 0) {
      return fieldError("category", "a number must be positive, got " + shown(*cat));
    }
    r.category = std::to_string(cat->get<std::uint64_t>());
  } else {
    return fieldError("category", "must be a code or a number, got " + shown(*cat));
  }
  auto severity = stringField(o, "severity", false, kMaxShort);
  if (!severity) return severity.takeError();
  if (!severity->empty() && !parseSeverity(*severity, r.severity)) {
    return fieldError("severity", "'" + *severity + "' is not one of normal, serious, major");
  }
  auto body = stringField(o, "text", false, kMaxText);
  if (!body) return body.takeError();
  r.text = std::move(*body);
  auto when = stringField(o, "reported_at", false, kMaxShort);
  if (!when) return when.takeError();
  if (!when->empty()) {
    auto t = core::parseIsoTime(*when);
    if (!t) return fieldError("reported_at", t.error().message);
    r.reportedAt = *t;
  }
  return r;
}

std::string toJson(const Case& c) {
  Json o;
  o["id"] = c.id;
  o["source"] = name(c.source);
  o["external_id"] = c.externalId;
  o["address"] = c.address.empty() ? Json() : Json(c.address);
  o["point"] = c.point ? pointJson(*c.point) : Json();
  o["crs"] = c.crs;
  o["lonlat"] = c.lonlat ? pointJson(*c.lonlat) : Json();
  o["located_by"] = c.locatedBy;
  o["address_code"] = c.addressCode;
  o["grid"] = c.gridCode.empty() ? Json() : Json(c.gridCode);
  o["category"] = c.categoryCode.empty() ? Json() : Json(c.categoryCode);
  o["category_given"] = c.categoryGiven;
  o["severity"] = name(c.severity);
  o["level"] = c.level ? Json(name(*c.level)) : Json();
  o["state"] = name(c.state);
  o["state_label"] = label(c.state);
  o["text"] = c.text;
  o["reason"] = c.reason;
  o["reported_at"] = c.reportedAt;
  Json h = Json::array();
  for (const Transition& t : c.history) {
    h.push_back({{"from", name(t.from)},
                 {"to", name(t.to)},
                 {"who", t.who},
                 {"at", t.at},
                 {"note", t.note}});
  }
  o["history"] = std::move(h);
  // Replace: a byte that is not UTF-8 (the journal must stay readable JSON).
  return o.dump(-1, ' ', false, Json::error_handler_t::replace);
}

core::Result<Case> caseFromJson(std::string_view text) {
  try {
    const Json o = Json::parse(text.begin(), text.end());
    Case c;
    c.id = o.at("id").get<std::int64_t>();
    if (!parseSource(o.at("source").get<std::string>(), c.source)) {
      return fieldError("source", "unknown source");
    }
    c.externalId = o.at("external_id").get<std::string>();
    if (!o.at("address").is_null()) c.address = o.at("address").get<std::string>();
    auto point = [](const Json& v) -> std::optional<geo::Point> {
      if (v.is_null()) return std::nullopt;
      return geo::Point{v.at(0).get<double>(), v.at(1).get<double>()};
    };
    c.point = point(o.at("point"));
    c.crs = o.at("crs").get<std::string>();
    c.lonlat = point(o.at("lonlat"));
    c.locatedBy = o.at("located_by").get<std::string>();
    c.addressCode = o.at("address_code").get<std::string>();
    if (!o.at("grid").is_null()) c.gridCode = o.at("grid").get<std::string>();
    if (!o.at("category").is_null()) c.categoryCode = o.at("category").get<std::string>();
    c.categoryGiven = o.at("category_given").get<std::string>();
    if (!parseSeverity(o.at("severity").get<std::string>(), c.severity)) {
      return fieldError("severity", "unknown severity");
    }
    if (!o.at("level").is_null()) {
      Level l;
      if (!parseLevel(o.at("level").get<std::string>(), l)) {
        return fieldError("level", "unknown level");
      }
      c.level = l;
    }
    if (!parseState(o.at("state").get<std::string>(), c.state)) {
      return fieldError("state", "unknown state");
    }
    c.text = o.at("text").get<std::string>();
    c.reason = o.at("reason").get<std::string>();
    c.reportedAt = o.at("reported_at").get<std::int64_t>();
    for (const Json& t : o.at("history")) {
      Transition tr;
      if (!parseState(t.at("from").get<std::string>(), tr.from) ||
          !parseState(t.at("to").get<std::string>(), tr.to)) {
        return fieldError("history", "unknown state");
      }
      tr.who = t.at("who").get<std::string>();
      tr.at = t.at("at").get<std::int64_t>();
      tr.note = t.at("note").get<std::string>();
      c.history.push_back(std::move(tr));
    }
    return c;
  } catch (const Json::exception& e) {
    return makeError(ErrorCode::kParse, std::string("not a case record: ") + e.what());
  }
}

}  // namespace gridtwin::cases
