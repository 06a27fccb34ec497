#include "app/open_twin.h"

#include "pgstore/loader.h"

namespace gridtwin::viewer {

bool isPostgresUrl(std::string_view dataset) {
  return dataset.starts_with("postgresql://") || dataset.starts_with("postgres://");
}

core::Result<std::unique_ptr<query::Twin>> openTwin(const std::string& dataset) {
  if (!isPostgresUrl(dataset)) return query::Twin::open(dataset, {});
  auto district = pgstore::loadPostgis(dataset);
  if (!district) return district.takeError();
  // The staff table is not part of the PostGIS schema: no station heads.
  return query::Twin::build(std::move(*district), {});
}

}  // namespace gridtwin::viewer
