// gridtwin render <dataset> --out district.png [--hours 24] [--size 1600]
//                 [--now TIME]
//
// The twin as a picture, for a machine without a display: every grid tinted
// by street, community and street boundaries, roads, buildings, and the
// events of the last --hours as red dots, the streets named (report/map.h,
// drawn by Qt with a CJK font).
//
// Exit codes: 0 ok; 1 bad input (unreadable dataset, unwritable picture);
// 2 usage, or a build without Qt (-DGRIDTWIN_VIEWER=OFF), which cannot draw.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "commands.h"
#include "query/query.h"
#include "query_support.h"
#include "report/map.h"
#include "store/gpkg_reader.h"

namespace gridtwin::cli {
namespace {

struct RenderOptions {
  std::string dataset;
  std::string out;
  int hours = 24;
  int size = 1600;
  std::string now;
};

int runRender(const RenderOptions& o) {
  if (!report::canDraw()) return qs::fail("render", {2, report::kNoDrawing});
  std::int64_t now = query::kReferenceNow;
  if (!o.now.empty()) {
    auto t = query::parseTime(o.now);
    if (!t) return qs::fail("render", {1, "--now: " + t.error().toString()});
    now = *t;
  }
  if (auto c = checkOutput(o.out, {o.dataset}); !c) {
    return qs::fail("render", {refusalExitCode(c.error()), c.error().toString()});
  }
  auto ds = store::openDataset(o.dataset);
  if (!ds) return qs::fail("render", {1, ds.error().toString()});
  report::DistrictMapInput in;
  in.district = &ds->district;
  in.now = now;
  in.hours = o.hours;
  in.size = o.size;
  if (auto w = report::districtMap(in, o.out); !w) {
    return qs::fail("render", {1, w.error().toString()});
  }
  std::cout << "wrote " << o.out << " (" << o.size << "x" << o.size << ", events of the last "
            << o.hours << " h before " << query::formatTime(now) << ")\n";
  return 0;
}

}  // namespace

void addRenderCommand(CLI::App& app, int& exitCode) {
  auto* cmd = app.add_subcommand("render", "The twin as a PNG picture (no display needed)");
  auto o = std::make_shared<RenderOptions>();
  cmd->add_option("dataset", o->dataset, "Dataset GeoPackage")->required();
  cmd->add_option("--out", o->out, "the PNG to write")->required();
  cmd->add_option("--hours", o->hours, "events of the last this many hours (default 24)")
      ->check(CLI::Range(0, 24 * 3650));
  cmd->add_option("--size", o->size, "pixels, square (default 1600)")->check(CLI::Range(64, 8192));
  cmd->add_option("--now", o->now, "ISO 8601 (default: the dataset's reference now)");
  cmd->callback([o, &exitCode] { exitCode = runRender(*o); });
}

}  // namespace gridtwin::cli
