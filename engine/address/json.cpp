#include "address/json.h"

#include "core/json.h"

namespace gridtwin::address {
namespace {

void appendNumber(std::string& out, double v, int decimals) {
  core::appendJsonNumber(out, v, decimals);
}

}  // namespace

std::string parseToJson(std::string_view input, const ParsedAddress& parsed) {
  std::string out = "{\"input\":";
  appendJsonString(out, input);
  out += ",\"components\":[";
  bool first = true;
  for (const auto& s : parsed.spans) {
    if (!first) out.push_back(',');
    first = false;
    out += "{\"tag\":";
    appendJsonString(out, componentName(s.component));
    out += ",\"text\":";
    appendJsonString(out, s.text);
    out += ",\"value\":";
    appendJsonString(out, s.value);
    out += ",\"begin\":" + std::to_string(s.begin) + ",\"end\":" + std::to_string(s.end);
    if (isSetAside(s.component)) out += ",\"set_aside\":true";
    out.push_back('}');
  }
  out += "],\"normalized\":";
  appendJsonString(out, parsed.normalized);
  out += ",\"intersection\":";
  out += parsed.intersection ? "true" : "false";
  out.push_back('}');
  return out;
}

std::string geocodeToJson(std::string_view input, const GeocodeResult& g,
                          const Geocoder& geocoder) {
  std::string out = "{\"input\":";
  appendJsonString(out, input);
  out += ",\"status\":";
  appendJsonString(out, matchStatusName(g.match.status));
  out += ",\"confidence\":";
  appendNumber(out, g.match.confidence, 3);
  out += ",\"reason\":";
  appendJsonString(out, g.match.reason);
  if (g.match.address >= 0) {
    out += ",\"code\":";
    appendJsonString(out, g.code);
    out += ",\"standard\":";
    appendJsonString(out, g.standardText);
    out += ",\"lon\":";
    appendNumber(out, g.lon, 7);
    out += ",\"lat\":";
    appendNumber(out, g.lat, 7);
    out += ",\"building_id\":" + std::to_string(g.buildingId);
    out += ",\"grid\":";
    appendJsonString(out, g.gridCode);
    out += ",\"community\":";
    appendJsonString(out, g.communityName);
    out += ",\"street\":";
    appendJsonString(out, g.streetName);
  }
  out += ",\"candidates\":[";
  for (std::size_t k = 0; k < g.match.candidates.size(); ++k) {
    GeocodeResult c;
    geocoder.describe(g.match.candidates[k].address, c);
    if (k > 0) out.push_back(',');
    out += "{\"code\":";
    appendJsonString(out, c.code);
    out += ",\"standard\":";
    appendJsonString(out, c.standardText);
    out += ",\"grid\":";
    appendJsonString(out, c.gridCode);
    out += ",\"confidence\":";
    appendNumber(out, g.match.candidates[k].confidence, 3);
    out.push_back('}');
  }
  out += "]";
  if (!g.match.conflicts.empty()) {
    out += ",\"conflicts\":[";
    for (std::size_t k = 0; k < g.match.conflicts.size(); ++k) {
      const LevelConflict& c = g.match.conflicts[k];
      if (k > 0) out.push_back(',');
      out += "{\"level\":";
      appendJsonString(out, componentName(c.level));
      out += ",\"given\":";
      appendJsonString(out, c.given);
      out += ",\"registry\":";
      appendJsonString(out, c.registry);
      out.push_back('}');
    }
    out += "]";
  }
  out += ",\"normalized\":";
  appendJsonString(out, g.match.parsed.normalized);
  out.push_back('}');
  return out;
}

std::string reverseToJson(double lon, double lat, const ReverseResult& r) {
  std::string out = "{\"lon\":";
  appendNumber(out, lon, 7);
  out += ",\"lat\":";
  appendNumber(out, lat, 7);
  if (r.outside) {
    char reason[96];
    std::snprintf(reason, sizeof reason,
                  "no door plate within %.0f m: the point is outside the district",
                  kReverseOutsideM);
    out += ",\"status\":\"outside\",\"reason\":";
    appendJsonString(out, reason);
    out.push_back('}');
    return out;
  }
  out += ",\"status\":\"nearest\",\"distance_m\":";
  appendNumber(out, r.distanceM, 2);
  out += ",\"code\":";
  appendJsonString(out, r.code);
  out += ",\"standard\":";
  appendJsonString(out, r.standardText);
  out += ",\"grid\":";
  appendJsonString(out, r.gridCode);
  out.push_back('}');
  return out;
}

}  // namespace gridtwin::address
