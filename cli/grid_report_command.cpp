// gridtwin grid-report <dataset> [code ...] [--all] [--out-dir DIR]
//                      [--format md|html|pdf|all] [--no-map] [--now TIME]
//                      [--role R] [--scope S]
//
// The grid head's report (engine/boundary/report.h, rendered by
// report/grid_report.h, pictures by report/map.h): area, perimeter,
// neighbours with shared edge lengths, counts of everything inside, events
// of the last 30 days, the boundary findings that touch the grid (its
// coverage and its records: cut buildings, mismatched grids), and a map
// picture (PNG) of the grid among its neighbours.
//
// With --out-dir, writes DIR/<code>.md|.html|.pdf and DIR/<code>.png for each
// grid (--all: every grid in the scope, in one run) and prints one line per
// report; without it, prints one report's Markdown (no picture) on stdout.
// A grid outside the role's scope is refused.
//
// Exit codes: 0 ok; 1 bad input (unknown grid, out of scope, unwritable
// folder: the message names it); 2 usage, or a picture or PDF asked of a
// build without Qt (-DGRIDTWIN_VIEWER=OFF: it writes Markdown and HTML with
// --no-map only).
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "boundary/coverage.h"
#include "boundary/ownership.h"
#include "boundary/report.h"
#include "boundary/source.h"
#include "commands.h"
#include "core/output_file.h"
#include "query/query.h"
#include "query_support.h"
#include "report/grid_report.h"
#include "report/map.h"
#include "report/pdf.h"

namespace gridtwin::cli {
namespace {

struct ReportOptions {
  std::string dataset;
  std::vector<std::string> codes;
  bool all = false;
  std::string outDir;
  std::string format = "md";
  bool noMap = false;
  std::string now;
  qs::AccessOptions access{"grid_head", ""};
};

// All or nothing, through the one output helper (core/output_file.h).
core::Result<void> writeFile(const std::filesystem::path& path, const std::string& text) {
  auto output = core::OutputFile::begin(path.string(), path.extension().string());
  if (!output) return output.takeError();
  {
    std::ofstream out(output->temporaryPath(), std::ios::binary);
    out << text;
    if (!out.flush()) {
      return core::makeError(core::ErrorCode::kWriteFailed, "cannot write", path.string());
    }
  }
  return output->commit();
}

int runReport(const ReportOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  std::int64_t now = query::kReferenceNow;
  if (!o.now.empty()) {
    auto t = query::parseTime(o.now);
    if (!t) return qs::fail("grid-report", {1, "--now: " + t.error().toString()});
    now = *t;
  }
  // A build without Qt writes Markdown and HTML only, and says so up front.
  if (!report::canDraw() && (o.format == "pdf" || o.format == "all")) {
    return qs::fail("grid-report", {2, "--format " + o.format + ": " + report::kNoDrawing});
  }
  if (!report::canDraw() && !o.outDir.empty() && !o.noMap) {
    return qs::fail("grid-report",
                    {2, std::string("the map picture: ") + report::kNoDrawing + "; add --no-map"});
  }
  if (!o.all && o.codes.empty()) return qs::fail("grid-report", {2, "name a grid code, or --all"});
  if (o.outDir.empty() && (o.all || o.codes.size() != 1 || o.format != "md")) {
    return qs::fail("grid-report", {2,
                                    "give --out-dir for more than one report or for "
                                    "--format html|pdf|all"});
  }
  qs::Opened opened;
  if (auto f = qs::openTwin(o.dataset, o.access, opened)) return qs::fail("grid-report", *f);
  const query::Twin& twin = *opened.twin;
  auto coverage = boundary::readCoverage(o.dataset, {});
  if (!coverage) return qs::fail("grid-report", {1, coverage.error().toString()});
  auto findings = boundary::validate(*coverage);
  if (!findings) return qs::fail("grid-report", {1, findings.error().toString()});
  auto owned = boundary::checkOwnership(twin.district(),
                                        boundary::unitsOf(twin.district(), boundary::Level::kGrid));
  if (!owned) return qs::fail("grid-report", {1, owned.error().toString()});
  findings->insert(findings->end(), owned->begin(), owned->end());
  auto book = boundary::ReportBook::make(twin, std::move(*findings));
  if (!book) return qs::fail("grid-report", {1, book.error().toString()});

  std::vector<std::string> codes = o.codes;
  if (o.all) {
    codes.clear();
    for (std::uint32_t g : opened.access.scope.grids()) {
      codes.emplace_back(twin.district().grids().code[g]);
    }
  }
  if (!o.outDir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.outDir, ec);
    if (ec) return qs::fail("grid-report", {1, o.outDir + ": " + ec.message()});
  }
  for (const std::string& code : codes) {
    auto r = book->report(code, opened.access, now);
    if (!r) return qs::fail("grid-report", {1, r.error().toString()});
    if (o.outDir.empty()) {
      std::cout << report::toMarkdown(*r, "");
      continue;
    }
    const std::filesystem::path dir(o.outDir);
    // No report may replace the dataset (or any file it cannot write).
    for (const std::string ext : {".png", ".md", ".html", ".pdf"}) {
      const bool writes = ext == ".png" ? !o.noMap : o.format == "all" || "." + o.format == ext;
      if (!writes) continue;
      if (auto c = checkOutput((dir / (code + ext)).string(), {o.dataset}, "--out-dir"); !c) {
        return qs::fail("grid-report", {refusalExitCode(c.error()), c.error().toString()});
      }
    }
    std::string png;
    if (!o.noMap) {
      png = code + ".png";
      report::GridMapInput in;
      in.district = &twin.district();
      in.grid = *book->gridIndex(code);
      in.findings = r->findings;
      in.twin = &twin;
      in.access = &opened.access;
      if (auto w = report::gridMap(in, (dir / png).string()); !w) {
        return qs::fail("grid-report", {1, w.error().toString()});
      }
    }
    std::string written;
    auto emit = [&](const std::string& ext, const std::string& text) -> core::Result<void> {
      GRIDTWIN_TRY(writeFile(dir / (code + ext), text));
      written += " " + (dir / (code + ext)).string();
      return {};
    };
    if (o.format == "md" || o.format == "all") {
      if (auto w = emit(".md", report::toMarkdown(*r, png)); !w) {
        return qs::fail("grid-report", {1, w.error().toString()});
      }
    }
    if (o.format == "html" || o.format == "all") {
      if (auto w = emit(".html", report::toHtml(*r, png)); !w) {
        return qs::fail("grid-report", {1, w.error().toString()});
      }
    }
    if (o.format == "pdf" || o.format == "all") {
      const std::string pdf = (dir / (code + ".pdf")).string();
      if (auto w = report::htmlToPdf(report::toHtml(*r, png), o.outDir, pdf); !w) {
        return qs::fail("grid-report", {1, w.error().toString()});
      }
      written += " " + pdf;
    }
    if (!png.empty()) written += " " + (dir / png).string();
    std::cout << code << ":" << written << '\n';
  }
  if (!o.outDir.empty()) {
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << codes.size() << (codes.size() == 1 ? " report" : " reports") << " in "
              << static_cast<int>(s * 10 + 0.5) / 10.0 << " s\n";
  }
  return 0;
}

}  // namespace

void addGridReportCommand(CLI::App& app, int& exitCode) {
  auto* cmd =
      app.add_subcommand("grid-report",
                         "The grid head's report: shape, neighbours, counts, events, boundary "
                         "findings and a map picture, as Markdown, HTML or PDF");
  auto o = std::make_shared<ReportOptions>();
  cmd->add_option("dataset", o->dataset, "Dataset GeoPackage")->required();
  cmd->add_option("codes", o->codes, "grid codes");
  cmd->add_flag("--all", o->all, "every grid in the scope");
  cmd->add_option("--out-dir", o->outDir, "write the reports and pictures into this folder");
  cmd->add_option("--format", o->format, "md (default), html, pdf or all")
      ->check(CLI::IsMember({"md", "html", "pdf", "all"}));
  cmd->add_flag("--no-map", o->noMap, "no map picture");
  cmd->add_option("--now", o->now,
                  "the report's time, ISO 8601 (default: the dataset's reference now)");
  cmd->add_option("--role", o->access.role,
                  "who asks: grid_head (default), community, street, district, planner");
  cmd->add_option("--scope", o->access.scope,
                  "grid/community/street codes the role holds (default: the grids asked for, "
                  "or the district for --all)");
  cmd->callback([o, cmd, &exitCode] {
    // Without --role: --all is the district's run; named grids are asked by
    // their grid head, who holds exactly those.
    if (cmd->count("--role") == 0 && o->access.scope.empty()) {
      if (o->all) {
        o->access.role = "district";
      } else {
        for (const auto& c : o->codes) o->access.scope += (o->access.scope.empty() ? "" : ",") + c;
      }
    }
    exitCode = runReport(*o);
  });
}

}  // namespace gridtwin::cli
