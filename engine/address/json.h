#pragma once
// JSON renderings of parses and geocodes, one object on one line (for the
// CLI's JSONL and for integrating systems). Strings are escaped per RFC 8259;
// the input is valid UTF-8 by then (the parser rejects anything else).
#include <string>
#include <string_view>

#include "address/matcher.h"
#include "address/parser.h"
#include "core/json.h"

namespace gridtwin::address {

// The one JSON string escaper (core/json.h).
using core::appendJsonString;

// {"input":…,"components":[{"tag":"road","text":…,"value":…,"begin":0,"end":3},…],
//  "normalized":…,"intersection":false}
std::string parseToJson(std::string_view input, const ParsedAddress& parsed);

// {"input":…,"status":"matched","confidence":0.85,"reason":…,"code":…,"standard":…,
//  "lon":…,"lat":…,"building_id":…,"grid":…,"community":…,"street":…,
//  "candidates":[{"code":…,"standard":…,"confidence":…},…],"normalized":…}
std::string geocodeToJson(std::string_view input, const GeocodeResult& result,
                          const Geocoder& geocoder);

}  // namespace gridtwin::address
