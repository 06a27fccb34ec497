// boundary.*: the grid heads' run — the coverage of the whole district
// validated, then the report of every grid (Markdown + map picture) in one
// process, as `gridtwin grid-report --all` does. No anchor: no other tool
// makes these reports; the figures are there to keep the run short.
#include <unistd.h>
#include <filesystem>

#include "bench.h"
#include "boundary/coverage.h"
#include "boundary/ownership.h"
#include "boundary/report.h"
#include "boundary/source.h"
#include "query/query.h"
#include "query/twin.h"
#include "report/grid_report.h"
#include "report/map.h"

namespace gridtwin::bench {

core::Result<std::vector<Figure>> runBoundary(Context& ctx) {
  auto reply = inChild("grid reports on " + ctx.dataset, [&]() -> core::Result<nlohmann::json> {
    auto twin = query::Twin::open(ctx.dataset, {});
    if (!twin) return twin.takeError();
    const auto t0 = Clock::now();
    auto coverage = boundary::readCoverage(ctx.dataset, {});
    if (!coverage) return coverage.takeError();
    auto findings = boundary::validate(*coverage);
    if (!findings) return findings.takeError();
    const double validateSeconds = secondsSince(t0);
    const std::size_t findingCount = findings->size();

    const auto t1 = Clock::now();
    auto owned = boundary::checkOwnership(
        (*twin)->district(), boundary::unitsOf((*twin)->district(), boundary::Level::kGrid));
    if (!owned) return owned.takeError();
    findings->insert(findings->end(), owned->begin(), owned->end());
    auto book = boundary::ReportBook::make(**twin, std::move(*findings));
    if (!book) return book.takeError();
    auto access = query::makeAccess((*twin)->district(), query::Role::kDistrict, "");
    if (!access) return access.takeError();
    const std::filesystem::path dir =
        std::filesystem::path(ctx.workDir) / ("grid-reports-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto& grids = (*twin)->district().grids();
    std::size_t bytes = 0;
    for (std::uint32_t g = 0; g < grids.size(); ++g) {
      const std::string code(grids.code[g]);
      auto r = book->report(code, *access, query::kReferenceNow);
      if (!r) return r.takeError();
      bytes += report::toMarkdown(*r, code + ".png").size();
      report::GridMapInput in;
      in.district = &(*twin)->district();
      in.grid = g;
      in.findings = r->findings;
      in.twin = twin->get();
      in.access = &*access;
      GRIDTWIN_TRY(report::gridMap(in, (dir / (code + ".png")).string()));
    }
    const double reportSeconds = secondsSince(t1);
    std::filesystem::remove_all(dir);
    return nlohmann::json{{"validate", validateSeconds},
                          {"findings", findingCount},
                          {"reports", reportSeconds},
                          {"grids", grids.size()},
                          {"bytes", bytes}};
  });
  if (!reply) return reply.takeError();
  const auto& r = *reply;
  const std::size_t grids = r["grids"];
  std::vector<Figure> figures;
  char note[300];
  std::snprintf(note, sizeof note,
                "read + validate the %zu grids (overlaps, gaps, slivers, parents, outline): %zu "
                "findings; no anchor (no other tool checks a grid coverage this way)",
                grids, r["findings"].get<std::size_t>());
  figures.push_back(
      {"boundary.validate_seconds", r["validate"], "s", false, std::nullopt, std::nullopt, note});
  std::snprintf(
      note, sizeof note,
      "the records' ownership checked once, then every grid's report (counts, neighbours, "
      "findings; Markdown) and its 900x900 map picture (PNG) in one run; %.2f s a grid; "
      "no anchor",
      r["reports"].get<double>() / static_cast<double>(grids));
  figures.push_back(
      {"boundary.all_reports_seconds", r["reports"], "s", false, std::nullopt, std::nullopt, note});
  return figures;
}

}  // namespace gridtwin::bench
