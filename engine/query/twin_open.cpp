// Twin::open, apart from the rest of twin.cpp: it is the one part of the
// twin that reaches GDAL (store::openDataset loads the GeoPackage when there
// is no valid snapshot), and the light front of `gridtwin locate` links
// twin.cpp without it (Twin::openSnapshot).
#include "query/twin.h"
#include "store/gpkg_reader.h"
#include "store/staff_reader.h"

namespace gridtwin::query {

core::Result<std::unique_ptr<Twin>> Twin::open(const std::string& gpkgPath,
                                               const Options& options) {
  store::OpenOptions open;
  if (options.adminOnly) open.part = model::SnapshotPart::kAdminGeography;
  auto dataset = store::openDataset(gpkgPath, open);
  if (!dataset) return dataset.takeError();
  std::vector<store::StaffRow> staff;
  auto rows = store::readStaffIfPresent(gpkgPath);
  if (!rows) return rows.takeError();
  if (*rows) staff = std::move(**rows);
  return build(std::move(dataset->district), std::move(staff), options);
}

}  // namespace gridtwin::query
