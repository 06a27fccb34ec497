// gridtwin geocode --dataset D.gpkg [ADDRESS] [--input FILE] [--format jsonl|json|csv]
//                  [--reverse lon,lat] [--model PATH]
//
// Address text → standard address → location, building, grid, community,
// street, with the match status (matched, partial, ambiguous, unmatched),
// confidence, reason and candidates. One ADDRESS on the command line, or a
// stream from --input (a file, or '-' for stdin): plain lines or JSONL
// objects with an "address" field (--format jsonl, the default; json is the
// same), or CSV with a header holding an "address" column (--format csv; the
// input columns are copied and the match appended). --reverse lon,lat
// (EPSG:4490) gives the nearest door plate and its distance (EPSG:4547
// metres) instead, or "outside" when no door plate is within 3000 m
// (address::kReverseOutsideM); a longitude beyond ±180 or a latitude beyond
// ±90 is bad input (exit 1).
//
// A province, city or district named in the address other than the
// dataset's own gives "unmatched" with the conflict in "reason" and
// "conflicts"; a town or community the door plate is not in gives
// "ambiguous" with the conflict named.
//
// Exit codes: 0 ok (unmatched addresses are answers, not errors); 1 bad
// input (invalid UTF-8, a CSV without an address column, a dataset that does
// not load): the message names the input and line; 2 usage.
#include <CLI/CLI.hpp>
#include <charconv>
#include <iostream>
#include <memory>
#include <string>

#include "address/json.h"
#include "address/matcher.h"
#include "commands.h"
#include "core/csv.h"
#include "io.h"
#include "store/gpkg_reader.h"

namespace gridtwin::cli {
namespace {

struct GeocodeOptions {
  std::string dataset;
  std::string address;
  std::string input;
  bool inputGiven = false;
  std::string format = "jsonl";
  std::string reverse;
  std::string model;
  std::string sharedData = GRIDTWIN_SHARED_DATA;
};

// Splits one CSV record (RFC 4180 quotes; no newlines inside fields).
std::vector<std::string> splitCsv(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

// The "address" value of a JSONL object line, or the line itself when it is
// not an object. Only plain string values are understood (escapes \" and \\).
std::string addressOfJsonLine(std::string_view line) {
  if (line.empty() || line.front() != '{') return std::string(line);
  const auto key = line.find("\"address\"");
  if (key == std::string_view::npos) return {};
  auto q = line.find('"', line.find(':', key + 9));
  if (q == std::string_view::npos) return {};
  std::string out;
  for (std::size_t i = q + 1; i < line.size() && line[i] != '"'; ++i) {
    if (line[i] == '\\' && i + 1 < line.size()) ++i;
    out += line[i];
  }
  return out;
}

std::string csvRow(const address::GeocodeResult& g, const address::Geocoder& geocoder) {
  std::string out;
  out += std::string(address::matchStatusName(g.match.status)) + ",";
  char conf[32];
  std::snprintf(conf, sizeof conf, "%.3f", g.match.confidence);
  out +=
      std::string(conf) + "," + core::csvField(g.code) + "," + core::csvField(g.standardText) + ",";
  if (g.match.address >= 0) {
    out += formatCoordinate(g.lon) + "," + formatCoordinate(g.lat);  // round-trip precision
  } else {
    out += ",";
  }
  out += "," + core::csvField(g.gridCode) + "," + core::csvField(g.communityName) + "," +
         core::csvField(g.streetName) + ",";
  std::string candidates;
  for (const auto& c : g.match.candidates) {
    address::GeocodeResult d;
    geocoder.describe(c.address, d);
    if (!candidates.empty()) candidates += '|';
    candidates += d.code;
  }
  out += core::csvField(candidates) + "," + core::csvField(g.match.reason);
  return out;
}

int runGeocode(const GeocodeOptions& o) {
  if (o.format != "jsonl" && o.format != "json" && o.format != "csv") {
    std::cerr << "gridtwin geocode: --format must be jsonl, json or csv, got '" << o.format
              << "'\n";
    return 2;
  }
  if (o.address.empty() && !o.inputGiven && o.reverse.empty()) {
    std::cerr << "gridtwin geocode: give an ADDRESS, --input FILE (or '-') or --reverse lon,lat\n";
    return 2;
  }
  auto dataset = store::openDataset(o.dataset);
  if (!dataset) {
    std::cerr << "gridtwin geocode: " << dataset.error().toString() << '\n';
    return 1;
  }
  auto registry = address::Registry::build(dataset->district);
  if (!registry) {
    std::cerr << "gridtwin geocode: " << o.dataset << ": " << registry.error().toString() << '\n';
    return 1;
  }
  auto divisions = std::make_shared<address::Gazetteer>();
  if (auto r = divisions->addDivisions(o.sharedData + "/divisions"); !r) {
    std::cerr << "gridtwin geocode: " << r.error().toString() << '\n';
    return 1;
  }
  auto tagger = address::loadOrTrainTagger(o.model.empty() ? address::defaultTaggerPath() : o.model,
                                           o.sharedData + "/addresses/naacl2019", *divisions);
  if (!tagger) {
    std::cerr << "gridtwin geocode: " << tagger.error().toString() << '\n';
    return 1;
  }
  auto matcher = std::make_shared<const address::Matcher>(
      *registry, address::makeRegistryParser(**registry, *divisions, *tagger));
  const address::Geocoder geocoder(matcher);

  if (!o.reverse.empty()) {
    const auto comma = o.reverse.find(',');
    double lon = 0, lat = 0;
    const char* s = o.reverse.data();
    auto whole = [](const char* b, const char* e, double& v) {
      const auto r = std::from_chars(b, e, v);
      return r.ec == std::errc() && r.ptr == e && b != e;
    };
    const bool ok = comma != std::string::npos && whole(s, s + comma, lon) &&
                    whole(s + comma + 1, s + o.reverse.size(), lat);
    if (!ok) {
      std::cerr << "gridtwin geocode: --reverse: expected 'lon,lat', got " << quoteInput(o.reverse)
                << '\n';
      return 1;
    }
    auto r = geocoder.reverse(lon, lat);
    if (!r) {
      std::cerr << "gridtwin geocode: --reverse " << o.reverse << ": " << r.error().toString()
                << '\n';
      return 1;
    }
    std::cout << address::reverseToJson(lon, lat, *r) << '\n';
    return 0;
  }
  if (!o.address.empty()) {
    auto g = geocoder.geocode(o.address, "argument");
    if (!g) {
      std::cerr << "gridtwin geocode: " << g.error().toString() << '\n';
      return 1;
    }
    std::cout << address::geocodeToJson(o.address, *g, geocoder) << '\n';
    return 0;
  }
  const std::string name = inputName(o.input);
  const bool csv = o.format == "csv";
  const bool array = o.format == "json";  // json: one array; jsonl: one object a line
  bool first = true;
  auto emitJson = [&](const std::string& object) {
    if (array) {
      std::cout << (first ? "[\n  " : ",\n  ") << object;
    } else {
      std::cout << object << '\n';
    }
    first = false;
  };
  long addressColumn = -1;
  std::size_t headerFields = 0;
  int status = 0;
  auto r = forEachLine(o.input, [&](std::string_view line, long lineNumber) -> core::Result<void> {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string where = name + ":" + std::to_string(lineNumber);
    if (csv && addressColumn < 0) {
      const auto header = splitCsv(line);
      headerFields = header.size();
      for (std::size_t k = 0; k < header.size(); ++k) {
        if (header[k] == "address") addressColumn = static_cast<long>(k);
      }
      if (addressColumn < 0) {
        return core::makeError(core::ErrorCode::kSyntax, "the CSV header has no 'address' column",
                               where);
      }
      std::cout
          << line
          << ",status,confidence,code,standard,lon,lat,grid,community,street,candidates,reason\n";
      return {};
    }
    std::string text;
    if (csv) {
      const auto fields = splitCsv(line);
      if (fields.size() != headerFields) {
        // A row of another width would shift every column after it.
        const std::string why = where + ": expected " + std::to_string(headerFields) +
                                " fields as in the header, got " + std::to_string(fields.size()) +
                                " in " + quoteInput(line);
        std::cerr << "gridtwin geocode: " << why << '\n';
        status = 1;
        std::cout << std::string(headerFields > 0 ? headerFields - 1 : 0, ',') << ",error,,,,,,,,,,"
                  << core::csvField(why) << '\n';
        return {};
      }
      text = fields[static_cast<std::size_t>(addressColumn)];
    } else {
      text = addressOfJsonLine(line);
    }
    auto g = geocoder.geocode(text, where);
    if (!g) {
      std::cerr << "gridtwin geocode: " << g.error().toString() << '\n';
      status = 1;
      if (csv) {
        std::cout << line << ",error,,,,,,,,,," << core::csvField(g.error().toString()) << '\n';
      } else {
        std::string out = "{\"error\":";
        address::appendJsonString(out, g.error().toString());
        emitJson(out + "}");
      }
      return {};
    }
    if (csv) {
      std::cout << line << ',' << csvRow(*g, geocoder) << '\n';
    } else {
      emitJson(address::geocodeToJson(text, *g, geocoder));
    }
    return {};
  });
  if (array && (r || !first)) std::cout << (first ? "[]\n" : "\n]\n");
  std::cout.flush();
  if (!r) {
    std::cerr << "gridtwin geocode: " << r.error().toString() << '\n';
    return 1;
  }
  return status;
}

}  // namespace

void addGeocodeCommand(CLI::App& app, int& exitCode) {
  auto* command = app.add_subcommand(
      "geocode",
      "Match addresses to the standard address registry: location, building, grid, candidates");
  auto o = std::make_shared<GeocodeOptions>();
  command->add_option("--dataset", o->dataset, "the district GeoPackage")->required();
  command->add_option("address", o->address, "one address to geocode");
  auto* input =
      command->add_option("--input", o->input, "a stream of addresses: file, or '-' for stdin");
  command->add_option("--format", o->format,
                      "stream format: jsonl (default; one object a line), json (one array) or csv");
  command->add_option("--reverse", o->reverse,
                      "lon,lat (EPSG:4490): the nearest door plate and its distance, or "
                      "\"outside\" when none is within " +
                          std::to_string(static_cast<int>(address::kReverseOutsideM)) + " m");
  command->add_option("--model", o->model, "tagger model file (trained and written when absent)");
  command->add_option("--shared-data", o->sharedData, "the ../shared/data folder");
  command->callback([o, input, &exitCode] {
    o->inputGiven = input->count() > 0;
    exitCode = runGeocode(*o);
  });
}

}  // namespace gridtwin::cli
