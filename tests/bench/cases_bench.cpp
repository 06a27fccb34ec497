// cases.*: case intake into PostGIS (engine/cases over pgstore::PgCaseStore).
//
//   cases.intake_per_second  cases submitted by 64 concurrent submitters
//       (located, dispatched, committed in gridtwin.cases before each
//       answer: group commit shares one commit among the submitters waiting
//       at that moment); anchor: one INSERT and one commit per case from
//       one connection, the same rows. Target >= 2,000 cases/s (issue 13).
// The cluster is a private one (scripts/postgis, state in <work>/pg),
// purged afterwards. The dataset is ingested first (the cases' grid codes
// reference gridtwin.grids).
#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

#include "bench.h"
#include "cases/intake.h"
#include "core/json.h"
#include "crs/transformer.h"
#include "pgstore/case_store.h"
#include "pgstore/connection.h"
#include "pgstore/ingest.h"
#include "query/twin.h"
#include "workloads.h"

namespace gridtwin::bench {

core::Result<std::vector<Figure>> runCases(Context& ctx) {
  constexpr int kSubmitters = 64;
  constexpr int kCases = 20000;
  constexpr int kAnchorCases = 2000;
  const std::string state = ctx.workDir + "/pg";
  const std::string script = postgisScript(state);
  auto url = shell(script + "start");
  if (!url) return url.takeError();
  {
    auto c = pgstore::Connection::open(*url);
    if (!c) return c.takeError();
    if (auto r = c->execute("DROP SCHEMA IF EXISTS gridtwin CASCADE"); !r) return r.takeError();
  }
  if (auto r = pgstore::ingest(*url, ctx.dataset); !r) return r.takeError();
  auto twin = query::Twin::open(ctx.dataset, {});
  if (!twin) return twin.takeError();
  std::vector<geo::Point> lonlat;
  {
    auto back = crs::Transformer::create(crs::kGaussKruger114, crs::kCgcs2000);
    if (!back) return back.takeError();
    for (const geo::Point& xy : (*twin)->points(model::Kind::kAddress)) {
      auto p = back->transform(xy);
      if (p) lonlat.push_back(*p);
    }
  }
  if (lonlat.empty()) return core::makeError(core::ErrorCode::kEmptyInput, "no addresses");
  const std::string catalogDir = std::string(GRIDTWIN_SOURCE_DIR) + "/data/catalog";
  auto catalog = cases::CategoryCatalog::load(catalogDir + "/event_types.csv");
  if (!catalog) return catalog.takeError();
  auto rules = cases::DispatchRules::load(catalogDir + "/dispatch_rules.csv", *catalog);
  if (!rules) return rules.takeError();
  auto store = pgstore::PgCaseStore::open(*url);
  if (!store) return store.takeError();
  auto intake = cases::Intake::open(**twin, nullptr, *catalog, *rules, std::move(*store));
  if (!intake) return intake.takeError();
  auto access = query::makeAccess((*twin)->district(), query::Role::kDistrict, "");
  if (!access) return access.takeError();

  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  std::string firstError;
  std::mutex errorMutex;
  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kSubmitters; ++t) {
    threads.emplace_back([&] {
      for (int i; (i = next++) < kCases;) {
        cases::CaseRequest r;
        r.source = cases::Source::kHotline12345;
        r.externalId = "bench-" + std::to_string(i);
        r.point = lonlat[static_cast<std::size_t>(i) % lonlat.size()];
        r.category = catalog->code(static_cast<std::size_t>(i) % catalog->size());
        r.text = "bench";
        auto o = (*intake)->submit(r, *access);
        if (!o) {
          if (failed++ == 0) {
            std::lock_guard lock(errorMutex);
            firstError = o.error().toString();
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = secondsSince(t0);
  if (failed > 0) return core::makeError(core::ErrorCode::kStore, firstError);

  // The anchor: the same kind of row, one INSERT and one commit each.
  auto c = pgstore::Connection::open(*url);
  if (!c) return c.takeError();
  const auto stored = (*intake)->list(*access);
  const auto a0 = Clock::now();
  for (int i = 0; i < kAnchorCases; ++i) {
    cases::Case k = stored[static_cast<std::size_t>(i) % stored.size()];
    k.id = 10'000'000 + i;
    k.externalId = "anchor-" + std::to_string(i);
    auto r = c->query(
        "INSERT INTO gridtwin.cases (case_id, source, external_id, grid_code, state, record) "
        "VALUES ($1::bigint, $2, $3, $4, $5, $6)",
        {std::to_string(k.id), std::string(cases::name(k.source)), k.externalId, k.gridCode,
         std::string(cases::name(k.state)), cases::toJson(k)},
        "anchor insert");
    if (!r) return r.takeError();
  }
  const double anchorSeconds = secondsSince(a0);
  (void)shell(script + "purge");

  char note[300];
  std::snprintf(note, sizeof note,
                "target >= 2,000 cases/s (issue 13); %d cases by %d submitters in %.2f s, each "
                "committed before its answer (group commit); anchor: %d single-row commits; %u "
                "cores shared with the server",
                kCases, kSubmitters, seconds, kAnchorCases, std::thread::hardware_concurrency());
  std::vector<Figure> figures;
  figures.push_back({"cases.intake_per_second", kCases / seconds, "cases/s", true,
                     "PostGIS, one INSERT + commit per case (libpq)", kAnchorCases / anchorSeconds,
                     note});
  return figures;
}

}  // namespace gridtwin::bench
