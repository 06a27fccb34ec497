#pragma once
// Export of the dataset in PostGIS to a GeoPackage (store::GpkgWriter: a
// temporary file renamed into place, so a failure leaves no half file).
//
// Tables come back in the order, with the geometry types, descriptions and
// field types that the ingest recorded (gridtwin.dataset_tables); views
// come back as views with their source SELECT. GeoPackage -> PostGIS ->
// GeoPackage keeps every row, value and geometry (tests compare them);
// fids are written 1..N in fid order, as the generator writes them.
// What the connecting role may not see (row-level security) is not exported.
#include <cstdint>
#include <string>

#include "core/error.h"

namespace gridtwin::pgstore {

struct ExportReport {
  std::int64_t rows = 0;
  std::int64_t tables = 0;
  std::int64_t views = 0;
  double seconds = 0;
};

// Errors: kStore (cannot connect, no dataset in the database, a geometry
// type GeoPackage writing does not support), the writer's errors.
core::Result<ExportReport> exportGeoPackage(const std::string& url, const std::string& gpkgPath);

}  // namespace gridtwin::pgstore
