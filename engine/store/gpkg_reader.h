#pragma once
// Loads a dataset GeoPackage (the schema `gridtwin generate` writes: tables
// streets, communities, grids, roads, buildings, addresses, houses, people,
// entities, facilities, events, layer_catalog) into the columnar
// model::District, and reopens it fast through a memory-mapped snapshot
// beside it (model/snapshot.h).
//
// Reading goes through SQLite directly, not GDAL's feature API: GeoPackage
// geometry blobs ('GP' header + WKB) are decoded straight into the model's
// flat coordinate arrays. Tables are read in parallel, one SQLite connection
// per thread; links (person → house → building → address, codes → grids,
// communities, streets) are resolved to row indexes afterwards.
//
// Errors name the file, table, row (fid), column and offending value:
//   "data/x.gpkg: table people, fid 17, column house_id: no house with house_id 99".
// Thread-safety: the functions are reentrant; each call has its own connections.
#include <string>

#include "core/error.h"
#include "model/district.h"
#include "model/snapshot.h"

namespace gridtwin::store {

struct LoadOptions {
  unsigned threads = 0;  // 0: up to 4, as many as the machine has
};

// Errors: kNotFound (no such file), kStore (not a GeoPackage, missing table
// or column, a NULL where a value is required, a link that does not resolve,
// an unknown enum spelling), kParse (a bad date or number), kGeometry family
// (a bad geometry blob: the message gives the byte offset).
core::Result<model::District> loadGeoPackage(const std::string& path,
                                             const LoadOptions& options = {});

// "<gpkg>.snap": where openDataset() keeps the snapshot of `gpkgPath`.
std::string snapshotPathFor(const std::string& gpkgPath);

struct OpenOptions {
  bool useSnapshot = true;    // try the snapshot first
  bool writeSnapshot = true;  // after loading the GeoPackage, write one
  model::SnapshotCheck check = model::SnapshotCheck::kFull;
  // kAdminGeography: from a valid snapshot, only the admin geography (the
  // registers of records empty; model/snapshot.h). Without one the whole
  // GeoPackage is loaded (and the snapshot written) as for kAll.
  model::SnapshotPart part = model::SnapshotPart::kAll;
  unsigned threads = 0;
};

struct OpenReport {
  bool fromSnapshot = false;
  double seconds = 0;  // wall time of openDataset()
  std::string snapshotPath;
  bool snapshotWritten = false;
  std::string
      snapshotNote;  // why the snapshot was not used or not written; empty when all went well
};

struct Dataset {
  model::District district;
  OpenReport report;
};

// The fast path: opens the snapshot when it is valid for the GeoPackage as it
// is now; otherwise loads the GeoPackage and (re)writes the snapshot. A stale,
// truncated or corrupt snapshot is never an error, only a note in the report;
// failing to write one is not an error either. Errors: those of
// loadGeoPackage().
core::Result<Dataset> openDataset(const std::string& gpkgPath, const OpenOptions& options = {});

}  // namespace gridtwin::store
