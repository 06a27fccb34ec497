#pragma once
// A case (工单): one report handed in by an integrating system (the 12345
// and 12319 hotlines, the grid app, the police non-emergency line,
// petitions), its place, grid, dispatch level and the five steps it goes
// through (发现上报、分类推送、协同处理、跟踪回访、评价结案), each step with
// who and when.
//
// Plain values; share them freely. The JSON forms (parseCaseRequest,
// toJson) are the wire and journal format (README.md).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "geo/types.h"
#include "model/district.h"

namespace gridtwin::cases {

// Who handed the case in: "12345", "12319", "grid_app", "police", "petition".
enum class Source : std::uint8_t { kHotline12345, kHotline12319, kGridApp, kPolice, kPetition };
bool parseSource(std::string_view s, Source& out);
std::string_view name(Source s);
// The events column's source (grid_app is the grid workers' patrol).
model::EventSource eventSourceOf(Source s);

// The five steps, then the three states a case waits in for a person:
// an address that matched nothing (待人工定位), a category not among the
// district's (待人工分类), a point outside the district (辖区外).
enum class State : std::uint8_t {
  kReported,    // "reported"   发现上报
  kClassified,  // "classified" 分类推送
  kHandling,    // "handling"   协同处理
  kFollowUp,    // "follow_up"  跟踪回访
  kClosed,      // "closed"     评价结案
  kToLocate,    // "to_locate"  待人工定位
  kToClassify,  // "to_classify" 待人工分类
  kOutside,     // "outside_district" 辖区外
};
inline constexpr std::size_t kStateCount = 8;
bool parseState(std::string_view s, State& out);  // the name or the Chinese label
std::string_view name(State s);
std::string_view label(State s);  // 发现上报 ...
// The events column's status of a case in one of the five steps.
std::optional<model::EventStatus> eventStatusOf(State s);

// The legal moves (one table in case.cpp):
//   reported → classified → handling → follow_up → closed, one step at a
//   time; follow_up → handling (the follow-up visit finds it unresolved);
//   to_locate, to_classify → reported (once the case has a grid and a
//   category), or → closed (discarded); outside_district → closed.
// Everything else, staying in place included, is illegal.
bool isLegal(State from, State to);

// The four-level rule (四级分拨): grid → village/community → department →
// street. The events column's "district" level is the department level (the
// district's functional departments).
enum class Level : std::uint8_t { kGrid, kCommunity, kDepartment, kStreet };
bool parseLevel(std::string_view s, Level& out);  // "grid", "community", "department", "street"
std::string_view name(Level l);
model::DispatchLevel dispatchLevelOf(Level l);

enum class Severity : std::uint8_t { kNormal, kSerious, kMajor };
bool parseSeverity(std::string_view s, Severity& out);  // "normal", "serious", "major"
std::string_view name(Severity s);

// POST /cases, parsed; nothing is checked against the district yet.
struct CaseRequest {
  Source source = Source::kHotline12345;
  std::string externalId;              // the caller's own case id; (source, externalId) is unique
  std::optional<std::string> address;  // free text
  std::optional<geo::Point> point;     // as given, in `crs`
  std::string crs = "EPSG:4490";       // canonical name (crs::name) of the point's CRS
  std::string category;                // as given: a code, a 1-based number or a name
  Severity severity = Severity::kNormal;
  std::string text;
  std::optional<std::int64_t> reportedAt;  // Unix seconds ("reported_at", ISO 8601); default now
};

// Parses the JSON object of POST /cases:
//   {"source": "12345", "external_id": "A-1", "address": "…", "point": [lon, lat],
//    "crs": "EPSG:4490", "category": "010101" | 10101 | 1, "severity": "normal",
//    "text": "…", "reported_at": "2026-12-07T10:00:00+08:00"}
// source, external_id, category and one of address/point are required; crs
// is any CRS engine/crs names (EPSG codes, GCJ02, BD09) and the point is
// checked against its domain; unknown fields are refused. Errors
// (kParse/kSyntax for malformed JSON, kInvalidArgument otherwise) name the
// field and the value given.
core::Result<CaseRequest> parseCaseRequest(std::string_view json);

struct Transition {
  State from = State::kReported;
  State to = State::kReported;
  std::string who;
  std::int64_t at = 0;  // Unix seconds
  std::string note;
};

struct Case {
  std::int64_t id = 0;
  Source source = Source::kHotline12345;
  std::string externalId;
  std::string address;              // as given ("" when none)
  std::optional<geo::Point> point;  // as given, in `crs`
  std::string crs = "EPSG:4490";
  std::optional<geo::Point> lonlat;  // EPSG:4490, where located (point or geocoded address)
  std::string locatedBy;             // "point", "address", "hand" or "" (not located)
  std::string addressCode;           // the standard address matched, if any
  std::int32_t grid = -1;            // grid row, -1 when not located
  std::string gridCode;
  std::int32_t category = -1;  // into District::columns().categoryCodes, -1 unknown
  std::string categoryCode;    // the district's code, "" when unknown
  std::string categoryGiven;   // as the caller gave it
  Severity severity = Severity::kNormal;
  std::optional<Level> level;  // set once grid and category are known
  State state = State::kReported;
  std::string text;
  std::string reason;  // why the case waits for a person (to_locate ...)
  std::int64_t reportedAt = 0;
  std::vector<Transition> history;  // every transition, oldest first
};

// One JSON object, one line (the answer body and the journal's "case").
std::string toJson(const Case& c);
// Reads toJson's output back. Errors name the field.
core::Result<Case> caseFromJson(std::string_view json);

}  // namespace gridtwin::cases
