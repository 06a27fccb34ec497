#pragma once
// Bulk load of a dataset (the GeoPackage `gridtwin generate` writes, or any
// GDAL vector source) into PostGIS, all or nothing.
//
// One transaction: migrate; take the ingest lock; drop the tables and views
// the previous ingest created beside the schema's own; drop the schema's
// keys, links and indexes (gridtwin.bulk_load_begin); TRUNCATE the
// registers; COPY every layer (text COPY, geometries as EWKB hex, SRID
// 4490); rebuild keys, indexes, links (bulk_load_end: one pass each, and the
// links are checked then); ANALYZE the registers (layer tables: autovacuum); COMMIT. A failure
// anywhere, a killed client or a killed server leaves the database as it was; a rerun replaces the
// whole dataset, so it never duplicates rows.
//
// Layers whose name is a schema table (streets, grids, people, ...) go into
// that typed table, column by name (a source column the table lacks is an
// error, not dropped). Other layers become tables gridtwin.<name> with a
// `fid` key, the source's fields (integer -> bigint, real -> double
// precision, others -> text) and a `geom geometry(<type>, 4490)` column with
// a GiST index. A GeoPackage view is recreated as a view (security_invoker,
// so row-level security still applies) when PostgreSQL accepts its SELECT,
// else loaded as a table. Layers must be in EPSG:4490 or EPSG:4326 (equal at
// this accuracy) or carry no CRS; Z/M ordinates are dropped.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace gridtwin::pgstore {

struct IngestOptions {
  // Called after each layer with its name and rows loaded.
  std::function<void(std::string_view layer, std::int64_t rows)> progress;
};

struct IngestReport {
  std::int64_t rows = 0;    // rows loaded, views not counted
  std::int64_t tables = 0;  // layers loaded as tables
  std::int64_t views = 0;   // layers recreated as views
  double copySeconds = 0;   // reading the source and COPY
  double indexSeconds = 0;  // keys, links, GiST indexes, ANALYZE
  double seconds = 0;       // everything, commit included
};

// Errors: kNotFound (no source), kStore (not a vector source, a CRS other
// than EPSG:4490/4326, a schema table column the source has and the table
// lacks, anything the server refuses: the message carries its detail and
// COPY line, the context names the layer).
core::Result<IngestReport> ingest(const std::string& url, const std::string& source,
                                  const IngestOptions& options = {});

}  // namespace gridtwin::pgstore
