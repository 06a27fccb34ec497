// gridtwin parse [file] [--model PATH]
//
// Splits free-text Chinese addresses into components (DESIGN.md names) and
// normalizes them: one address per line in (file or stdin), one JSON object
// per line out, {"input","components":[{"tag","text","value","begin","end"}],
// "normalized","intersection"}. Blank lines give {"input":""...} with no
// components, so output line N always answers input line N.
//
// The tagger is trained on the labelled set's train+dev split the first
// time (seconds) and kept at --model (default: address/parser.h,
// defaultTaggerPath()).
//
// Exit codes: 0 ok; 1 a bad line (invalid UTF-8, too long: an
// {"input":…,"error":…} line is written for it, the message on stderr names
// the input and line, and the other lines are still parsed); 2 usage.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "address/json.h"
#include "address/parser.h"
#include "commands.h"
#include "io.h"

namespace gridtwin::cli {
namespace {

struct ParseOptions {
  std::string input;
  std::string model;
  std::string sharedData = GRIDTWIN_SHARED_DATA;
};

int runParse(const ParseOptions& options) {
  auto gaz = std::make_shared<address::Gazetteer>();
  if (auto r = gaz->addDivisions(options.sharedData + "/divisions"); !r) {
    std::cerr << "gridtwin parse: " << r.error().toString() << '\n';
    return 1;
  }
  auto tagger = address::loadOrTrainTagger(
      options.model.empty() ? address::defaultTaggerPath() : options.model,
      options.sharedData + "/addresses/naacl2019", *gaz);
  if (!tagger) {
    std::cerr << "gridtwin parse: " << tagger.error().toString() << '\n';
    return 1;
  }
  const address::Parser parser(gaz, *tagger);
  const std::string name = inputName(options.input);
  int status = 0;
  std::string out;
  auto r =
      forEachLine(options.input, [&](std::string_view line, long lineNumber) -> core::Result<void> {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const std::string where = name + ":" + std::to_string(lineNumber);
        auto parsed = parser.parse(line, where);
        if (!parsed) {
          std::cerr << "gridtwin parse: " << parsed.error().toString() << '\n';
          out = "{\"input\":";
          // The raw line may be invalid UTF-8: report its length, not its bytes.
          address::appendJsonString(out, "");
          out += ",\"input_bytes\":" + std::to_string(line.size()) + ",\"error\":";
          address::appendJsonString(out, parsed.error().toString());
          out += "}";
          status = 1;
        } else {
          out = address::parseToJson(line, *parsed);
        }
        std::cout << out << '\n';
        return {};
      });
  std::cout.flush();
  if (!r) {
    std::cerr << "gridtwin parse: " << r.error().toString() << '\n';
    return 1;
  }
  return status;
}

}  // namespace

void addParseCommand(CLI::App& app, int& exitCode) {
  auto* command = app.add_subcommand(
      "parse",
      "Split free-text addresses (one per line) into components; one JSON object per line");
  auto options = std::make_shared<ParseOptions>();
  command->add_option("file", options->input,
                      "input file, one address per line (default or '-': stdin)");
  command->add_option("--model", options->model,
                      "tagger model file (trained and written when absent)");
  command->add_option("--shared-data", options->sharedData,
                      "the ../shared/data folder (divisions, labelled set)");
  command->callback([options, &exitCode] { exitCode = runParse(*options); });
}

}  // namespace gridtwin::cli
