#pragma once
// Area statistics without touching every selected row: summaries per grid
// and per lattice cell (GridStats, built once) and areaStats(), which adds
// the summaries of the grids and cells an area covers whole and tests only
// the rows of the blocks it cuts. The answer is aggregate(select(...))
// exactly: the same rows decide by the same tests, and are counted by the
// same code (tests/integration/area_stats_test.cpp compares every field
// over random areas, scopes, cell sizes and live events).
//
// Design (numbers in engine/query/README.md): rows are scoped by their grid
// column, but their points need not lie in the grid's polygon, so "the
// grid is inside the area" is decided on the box of the grid's own points
// (all kinds, finite points only); the same for a cell (a grid's rows in
// one square of a fixed 100 m lattice) and a block (a cell's rows in one
// of its 4 x 4 squares of 25 m): where a point falls on a lattice line only
// groups it, every decision is on the boxes of the points themselves.
//  - box area: the points' box inside the closed box → summary; boxes
//    disjoint → nothing; else a part, each row tested with Box::contains;
//  - circle: the points' box's four corners within the radius → summary (a
//    disc is convex); its point nearest the centre outside → nothing; else
//    the rows, each with the search's own radius test (the index's exact
//    one, or the brute-force twin's);
//  - polygon (the service's lon/lat boxes are densified projected rings):
//    no ring segment meets the points' box (exact orientation tests) → the
//    box lies in one face, and one corner's locate tells inside (summary)
//    or outside (nothing); else the rows, each with locate != exterior (the
//    index's and the brute-force search's test; geo::BandedPolygon walks
//    only the segments of the point's band and answers as locate() does),
//    most of them decided first by a box proved inside the polygon the
//    same way;
//  - a grid cut → its cells; a cell cut → its blocks; a block cut → its
//    rows. A whole cell adds its summary: its nonzero counters only (a full
//    Stats is ~450 counters), or, where that list would be no shorter than
//    its rows, its blocks' rows by profile;
//  - rows are counted by profile: rows of a kind whose counted columns are
//    equal add the same counters (detail::RowCounter::key), so a block's
//    rows are counted from one array of 16-bit profile numbers stored in
//    block order, not from the columns they are spread over;
//  - whole scope, grids: the summaries of every row, no geometry;
//  - an event filter (window, category, status), a `now` in another
//    calendar year than the summaries' age bands, or a polygon with an open
//    or short ring (select()'s error): aggregate(select()) as before
//    (correct, not faster).
// Rows with no finite point are in no box or circle (no search returns
// them): the summaries for those areas, and the cells, leave them out.
// Live events are never summarised: select()'s own live loop adds them.
//
// Thread-safety: a GridStats is immutable after build(); areaStats is a pure
// function (any number of threads, concurrently with Twin::reportEvent).
#include <array>
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
  // Side of the lattice cells, metres, and blocks a cell's side is cut
  // into: the figures the design note measured (engine/query/README.md).
  static constexpr double kCellMetres = 100;
  static constexpr unsigned kBlocksPerSide = 4;

  struct Options {
    double cellMetres = kCellMetres;          // > 0
    unsigned blocksPerSide = kBlocksPerSide;  // >= 1
    // Row profiles per kind with an id (the rest escape, counted from their
    // columns); at most kEscape.
    std::uint32_t profiles = 0xffff;
  };

  // The counts aggregate() gives for each grid's rows (the snapshot's, no
  // live events) and for each cell's, and each row's profile, age bands by
  // the year of kReferenceNow; about 0.4 s and 51 MB at full scale. Tests
  // give other options to put cells and blocks where they want them and to
  // make rows escape. The GridStats is only valid for this twin.
  static GridStats build(const Twin& twin);
  static GridStats build(const Twin& twin, const Options& options);

  std::size_t gridCount() const { return m_all.size(); }

  // What the summaries hold, for the design note and the tests.
  struct Footprint {
    std::size_t cells = 0;            // (grid, lattice cell) pairs with a row
    std::size_t summarisedCells = 0;  // of them with a summary (the others count their rows)
    std::size_t blocks = 0;           // (grid, lattice block) pairs with a row
    std::size_t profiles = 0;         // row profiles, all kinds
    std::size_t escapedRows = 0;      // rows with no profile id
    std::size_t bytes = 0;            // the cells' and blocks' boxes, rows and summaries
  };
  Footprint footprint() const;
  // The boxes of each cell's and each block's points (what an area's edge
  // is tested against), for tests to aim areas at.
  const std::vector<geo::Box>& cellBoxes() const { return m_cellBox; }
  const std::vector<geo::Box>& blockBoxes() const { return m_blockBox; }

 private:
  friend core::Result<Stats> areaStats(const Twin&, const GridStats&, const Access&, const Area&,
                                       std::int64_t, const EventFilter&);
  using KindStarts = std::array<std::uint32_t, kQueryKinds.size()>;

  int m_year = 0;                // calendar year the age bands were made for
  std::vector<Stats> m_all;      // every row of the grid (by its grid column)
  std::vector<Stats> m_located;  // its rows with a finite point
  std::vector<geo::Box> m_box;   // of those points, all kinds; empty if none

  // A grid's rows with a finite point, split by a fixed lattice of squares
  // (cells), each cut into kBlocksPerSide x kBlocksPerSide blocks. Grid g's
  // cells are [m_firstCell[g], m_firstCell[g + 1]), cell c's blocks
  // [m_firstBlock[c], m_firstBlock[c + 1]); only those with a row exist.
  std::vector<std::uint32_t> m_firstCell;   // grids + 1
  std::vector<geo::Box> m_cellBox;          // of the cell's points, never empty
  std::vector<std::uint32_t> m_firstBlock;  // cells + 1
  std::vector<geo::Box> m_blockBox;         // of the block's points, never empty
  // Rows of kQueryKinds[k] in block b: m_rows[k][m_blockRows[b][k], m_blockRows[b + 1][k]),
  // ascending (m_rows[k] is by grid, cell, block, row).
  std::vector<KindStarts> m_blockRows;  // blocks + 1
  std::array<std::vector<std::uint32_t>, kQueryKinds.size()> m_rows;
  // The cell's nonzero counters as (counter << m_countBits) | count, a count
  // too big for the bits in several entries; counters are the Stats fields
  // in a fixed order (area_stats.cpp, counters()). Cells whose summary would
  // not be smaller than their rows have none (start == end): a whole one
  // counts its rows.
  std::vector<std::uint32_t> m_cellSummary;  // cells + 1, into m_summaries
  std::vector<std::uint32_t> m_summaries;
  unsigned m_countBits = 0;
  // Each row's profile beside m_rows: rows of a kind with one profile count
  // into the same counters (detail::RowCounter::key), so a block's rows are
  // counted by profile from this one array instead of from the columns the
  // rows are spread over. Profile p of kQueryKinds[k] adds
  // m_profileCounts[k][m_profileStart[k][p], m_profileStart[k][p + 1]),
  // entries as in m_summaries, once per row. kEscape: a row past the
  // profiles an Options allows, counted from its columns.
  static constexpr std::uint16_t kEscape = 0xffff;
  std::array<std::vector<std::uint16_t>, kQueryKinds.size()> m_profile;
  std::array<std::vector<std::uint32_t>, kQueryKinds.size()> m_profileStart;
  std::array<std::vector<std::uint32_t>, kQueryKinds.size()> m_profileCounts;
};

// aggregate(twin, select(twin, access, area, KindSet::all(), events), now),
// faster for boxes, circles, polygons, grids and the whole scope. `grids` must have
// been built from `twin`. Errors: select()'s.
core::Result<Stats> areaStats(const Twin& twin, const GridStats& grids, const Access& access,
                              const Area& area, std::int64_t now = kReferenceNow,
                              const EventFilter& events = {});

}  // namespace gridtwin::query
