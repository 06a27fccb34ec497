// gridtwin case submit DATASET --json FILE|- [--role R --scope S] [--model PATH] [--catalog DIR]
// gridtwin case transition DATASET ID --to STATE --who NAME [--note TEXT] [--at TIME]
//                          [--grid CODE] [--category C] [--role R --scope S]
// gridtwin case list DATASET [--role R --scope S] [--format json|jsonl]
//
// Case intake and dispatch (engine/cases) from the command line, on the
// journal beside the dataset (DATASET.cases.jsonl; the dataset itself is
// never written). submit reads one JSON object (the body of POST /cases),
// or JSON Lines, one case a line, and prints one answer a line:
// {"status":201,"outcome":"created","replayed":false,"message":"…","case":{…}}.
// A case stored but waiting for a person (to_locate, outside_district,
// to_classify: status 422) is an answer, not an error. transition moves a
// case one step (the five steps: reported, classified, handling, follow_up,
// closed; --grid / --category give what a waiting case lacked) and prints
// the case. list prints every case the role and scope may see.
//
// Exit codes: 0 ok; 1 bad input (a request that does not parse, a point
// outside its CRS, an illegal transition, an unknown case, a journal that
// will not open: the message names the input, line and field); 2 usage.
#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "address/parser.h"
#include "cases/intake.h"
#include "commands.h"
#include "core/time.h"
#include "io.h"
#include "query_support.h"

namespace gridtwin::cli {
namespace {

struct CaseOptions {
  std::string dataset;
  qs::AccessOptions access{"district", ""};
  std::string catalog = std::string(GRIDTWIN_SOURCE_DIR) + "/data/catalog";
  // submit
  std::string json;
  std::string model;
  std::string sharedData = GRIDTWIN_SHARED_DATA;
  // transition
  std::int64_t id = 0;
  std::string to;
  std::string who;
  std::string note;
  std::string at;
  std::string grid;
  std::string category;
  // list
  std::string format = "jsonl";
};

struct Opened {
  qs::Opened twin;
  std::unique_ptr<cases::Intake> intake;
};

std::optional<qs::Failure> openIntake(const CaseOptions& o, bool geocode, Opened& out) {
  if (auto f = qs::openTwin(o.dataset, o.access, out.twin)) return f;
  std::shared_ptr<const address::Geocoder> geocoder;
  if (geocode) {
    auto g = cases::buildGeocoder(*out.twin.twin, o.sharedData,
                                  o.model.empty() ? address::defaultTaggerPath() : o.model);
    if (!g) return qs::Failure{1, g.error().toString()};
    geocoder = *g;
  }
  auto in = cases::Intake::openWithJournal(*out.twin.twin, o.dataset, geocoder, o.catalog);
  if (!in) return qs::Failure{1, in.error().toString()};
  if ((*in)->replayReport().tornTail) {
    std::cerr << "gridtwin case: " << (*in)->replayReport().note << '\n';
  }
  out.intake = std::move(*in);
  return std::nullopt;
}

int runSubmit(const CaseOptions& o) {
  const std::string input = inputName(o.json);
  std::string text;
  if (o.json == "-") {
    std::ostringstream s;
    s << std::cin.rdbuf();
    text = s.str();
  } else {
    std::ifstream f(o.json, std::ios::binary);
    if (!f) return qs::fail("case submit", {1, o.json + ": cannot read"});
    std::ostringstream s;
    s << f.rdbuf();
    text = s.str();
  }
  // One object (possibly over several lines), or JSON Lines.
  std::vector<std::pair<long, cases::CaseRequest>> requests;
  if (auto one = cases::parseCaseRequest(text); one.ok()) {
    requests.emplace_back(1, std::move(*one));
  } else {
    long lineNo = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
      auto end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      const std::string_view line = std::string_view(text).substr(pos, end - pos);
      pos = end + 1;
      ++lineNo;
      if (qs::trim(line).empty()) continue;
      auto r = cases::parseCaseRequest(line);
      if (!r) {
        return qs::fail("case submit",
                        {1, input + ":" + std::to_string(lineNo) + ": " + r.error().toString()});
      }
      requests.emplace_back(lineNo, std::move(*r));
    }
    if (requests.empty()) return qs::fail("case submit", {1, input + ": no case given"});
  }
  bool needGeocoder = false;
  for (const auto& [line, r] : requests) needGeocoder = needGeocoder || !r.point;
  Opened opened;
  if (auto f = openIntake(o, needGeocoder, opened)) return qs::fail("case submit", *f);
  for (const auto& [line, r] : requests) {
    auto answer = opened.intake->submit(r, opened.twin.access);
    if (!answer) {
      return qs::fail("case submit",
                      {1, input + ":" + std::to_string(line) + ": " + answer.error().toString()});
    }
    std::cout << cases::toJson(*answer) << '\n';
  }
  std::cout.flush();
  if (!std::cout) return qs::fail("case submit", {1, "cannot write the answer to stdout"});
  return 0;
}

int runTransition(const CaseOptions& o) {
  cases::State to;
  if (!cases::parseState(o.to, to)) {
    return qs::fail("case transition",
                    {2, "--to: unknown state '" + o.to +
                            "' (reported, classified, handling, follow_up, closed)"});
  }
  std::int64_t when = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  if (!o.at.empty()) {
    auto t = core::parseIsoTime(o.at);
    if (!t) return qs::fail("case transition", {1, "--at: " + t.error().toString()});
    when = *t;
  }
  Opened opened;
  if (auto f = openIntake(o, false, opened)) return qs::fail("case transition", *f);
  auto c = opened.intake->transition(o.id, to, o.who, when, o.note, opened.twin.access,
                                     cases::Amendment{o.grid, o.category});
  if (!c) return qs::fail("case transition", {1, c.error().toString()});
  std::cout << cases::toJson(*c) << '\n';
  std::cout.flush();
  if (!std::cout) return qs::fail("case transition", {1, "cannot write the case to stdout"});
  return 0;
}

int runList(const CaseOptions& o) {
  if (o.format != "json" && o.format != "jsonl") {
    return qs::fail("case list", {2, "--format must be json or jsonl, got '" + o.format + "'"});
  }
  Opened opened;
  if (auto f = openIntake(o, false, opened)) return qs::fail("case list", *f);
  const auto all = opened.intake->list(opened.twin.access);
  if (o.format == "json") std::cout << '[';
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (o.format == "json") {
      std::cout << (i ? ",\n  " : "\n  ") << cases::toJson(all[i]);
    } else {
      std::cout << cases::toJson(all[i]) << '\n';
    }
  }
  if (o.format == "json") std::cout << (all.empty() ? "]\n" : "\n]\n");
  std::cout.flush();
  if (!std::cout) return qs::fail("case list", {1, "cannot write the cases to stdout"});
  return 0;
}

void addCommon(CLI::App* cmd, CaseOptions& o) {
  cmd->add_option("DATASET", o.dataset, "the GeoPackage (its journal is DATASET.cases.jsonl)")
      ->required();
  qs::addAccessOptions(cmd, o.access);
  cmd->add_option("--catalog", o.catalog,
                  "folder with event_types.csv and dispatch_rules.csv (default: data/catalog; "
                  "DATASET.dispatch_rules.csv beside the dataset wins)");
}

}  // namespace

void addCaseCommand(CLI::App& app, int& exitCode) {
  auto* cmd = app.add_subcommand("case", "Case intake and dispatch: submit, transition, list");
  cmd->require_subcommand(1);
  auto o = std::make_shared<CaseOptions>();
  o->access.role = "district";

  auto* submit = cmd->add_subcommand("submit", "Submit cases (the JSON of POST /cases)");
  addCommon(submit, *o);
  submit->add_option("--json", o->json, "a file with one JSON object or JSON Lines, or -")
      ->required();
  submit->add_option("--model", o->model, "address tagger model (default: the geocoder's cache)");
  submit->callback([o, &exitCode] { exitCode = runSubmit(*o); });

  auto* transition = cmd->add_subcommand("transition", "Move a case to its next step");
  addCommon(transition, *o);
  transition->add_option("ID", o->id, "the case id")->required();
  transition->add_option("--to", o->to, "the new state")->required();
  transition->add_option("--who", o->who, "who makes the change")->required();
  transition->add_option("--note", o->note, "a note kept with the step");
  transition->add_option("--at", o->at, "when (ISO 8601; default now)");
  transition->add_option("--grid", o->grid, "the grid found by hand (a case to_locate)");
  transition->add_option("--category", o->category, "the category (a case to_classify)");
  transition->callback([o, &exitCode] { exitCode = runTransition(*o); });

  auto* list = cmd->add_subcommand("list", "The cases the role and scope may see");
  addCommon(list, *o);
  list->add_option("--format", o->format, "jsonl (default) or json");
  list->callback([o, &exitCode] { exitCode = runList(*o); });
}

}  // namespace gridtwin::cli
