// Stand-ins used when gridtwin::index is not built: the query layer then
// runs on the brute-force twins (engine/query/CMakeLists.txt picks this file).
#include "query/detail/select_parts.h"
#include "query/spatial.h"

namespace gridtwin::query {

bool haveIndex() { return false; }

core::Result<std::unique_ptr<PointSearch>> makeIndexedSearch(std::span<const geo::Point>) {
  return core::makeError(core::ErrorCode::kUnsupported, "built without gridtwin::index");
}

core::Result<std::unique_ptr<Locator>> makeIndexedLocator(const model::District&) {
  return core::makeError(core::ErrorCode::kUnsupported, "built without gridtwin::index");
}

bool detail::searchWithinRadius(const Twin&, const geo::Point& c, double r, const geo::Point& p) {
  return withinRadius(c, r, p);
}

}  // namespace gridtwin::query
