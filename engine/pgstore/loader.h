#pragma once
// Loads the engine's snapshot (model::District) from PostGIS: the same
// in-memory result as store::loadGeoPackage on the GeoPackage that was
// ingested (tests compare every column).
//
// Each table is read with COPY (SELECT ...) TO STDOUT in binary (no text
// parsing of numbers; points as ST_X/ST_Y doubles, lines and polygons as
// WKB), tables in parallel on up to `threads` connections that share one
// exported snapshot (REPEATABLE READ + SET TRANSACTION SNAPSHOT), so the
// district is consistent even while events are being inserted. Links are
// resolved to row indexes afterwards, as the GeoPackage loader does.
// Row-level security applies: a grid head's load holds their grids' rows
// only, and then fails where a link leaves them.
#include <string>

#include "core/error.h"
#include "model/district.h"

namespace gridtwin::pgstore {

struct PgLoadOptions {
  unsigned threads = 0;  // 0: up to 4, as many as the machine has
};

// Errors: kStore (cannot connect, no gridtwin schema or an older one, a
// link that does not resolve, an unknown enum spelling: the context names
// the table, fid and column), kParse (a bad date or time), kGeometry family.
core::Result<model::District> loadPostgis(const std::string& url,
                                          const PgLoadOptions& options = {});

}  // namespace gridtwin::pgstore
