#pragma once
// Pieces of select() shared with the fast paths beside it (area_stats.cpp),
// which must decide exactly as select() does. Internal to gridtwin::query.
// Thread-safety: pure functions; any number of threads.
#include "geo/types.h"
#include "query/access.h"
#include "query/query.h"
#include "query/twin.h"

namespace gridtwin::query::detail {

// select()'s live events: appends to sel.live the current entries of the
// log prefix sel.liveSeen (the caller reads the size first) in `scope`,
// accepted by `events` and in `area` (already checked).
void selectLive(const Twin& twin, const Scope& scope, const Area& area, const EventFilter& events,
                Selection& sel);

// twin.search(kind).radius()'s decision for one finite point: the index's
// exact test, or the brute-force search's withinRadius (spatial.h).
// Defined in indexed_spatial.cpp / without_index.cpp.
bool searchWithinRadius(const Twin& twin, const geo::Point& centre, double r, const geo::Point& p);

}  // namespace gridtwin::query::detail
