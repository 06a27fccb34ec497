#pragma once
// Area statistics without touching every selected row: per-grid summaries
// (GridStats, one Stats per grid, built once) and areaStats(), which adds
// the summaries of the grids an area covers whole and aggregates only the
// rows of the grids it cuts. The answer is aggregate(select(...)) exactly:
// the same rows decide by the same tests (tests/unit/query/area_stats_test
// compares every field over random areas, scopes and live events).
//
// Design (numbers in engine/query/README.md): rows are scoped by their grid
// column, but their points need not lie in the grid's polygon, so "the
// grid is inside the area" is decided on the box of the grid's own points
// (all kinds, finite points only):
//  - box area: the points' box inside the closed box → summary; boxes
//    disjoint → nothing; else the grid's rows, each tested with Box::contains;
//  - circle: the points' box's four corners within the radius → summary (a
//    disc is convex); its point nearest the centre outside → nothing; else
//    the rows, each with the search's own radius test (the index's exact
//    one, or the brute-force twin's);
//  - polygon (the service's lon/lat boxes are densified projected rings):
//    no ring segment meets the points' box (exact orientation tests) → the
//    box lies in one face, and one corner's geo::locate tells inside
//    (summary) or outside (nothing); else the rows, each with locate !=
//    exterior (the index's and the brute-force search's test), most of them
//    decided first by a box proved inside the polygon the same way;
//  - whole scope, grids: the summaries of every row, no geometry;
//  - an event filter (window, category, status), a `now` in another
//    calendar year than the summaries' age bands, or a polygon with an open
//    or short ring (select()'s error): aggregate(select()) as before
//    (correct, not faster).
// Rows with no finite point are in no box or circle (no search returns
// them): the summaries for those areas leave them out.
// Live events are never summarised: select()'s own live loop adds them.
//
// Thread-safety: a GridStats is immutable after build(); areaStats is a pure
// function (any number of threads, concurrently with Twin::reportEvent).
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "geo/types.h"
#include "query/access.h"
#include "query/query.h"
#include "query/stats.h"
#include "query/twin.h"

namespace gridtwin::query {

class GridStats {
 public:
  // One aggregate() per grid over its rows (the snapshot's, no live events),
  // age bands by the year of kReferenceNow. The GridStats is only valid for
  // this twin.
  static GridStats build(const Twin& twin);

  std::size_t gridCount() const { return m_all.size(); }

 private:
  friend core::Result<Stats> areaStats(const Twin&, const GridStats&, const Access&, const Area&,
                                       std::int64_t, const EventFilter&);
  int m_year = 0;                // calendar year the age bands were made for
  std::vector<Stats> m_all;      // every row of the grid (by its grid column)
  std::vector<Stats> m_located;  // its rows with a finite point
  std::vector<geo::Box> m_box;   // of those points, all kinds; empty if none
};

// aggregate(twin, select(twin, access, area, KindSet::all(), events), now),
// faster for boxes, circles, polygons, grids and the whole scope. `grids` must have
// been built from `twin`. Errors: select()'s.
core::Result<Stats> areaStats(const Twin& twin, const GridStats& grids, const Access& access,
                              const Area& area, std::int64_t now = kReferenceNow,
                              const EventFilter& events = {});

}  // namespace gridtwin::query
