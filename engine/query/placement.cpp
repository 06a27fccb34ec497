// placeGrid (query.h) and viewStaff (records.h): a grid's links and its
// head as a role sees them. Kept apart from query.cpp and records.cpp, whose
// other functions reach GEOS (area checks) and GDAL (GeoPackage export), so
// that the light front of `gridtwin locate` (cli/front.cpp) links neither.
#include "ident/masking.h"
#include "query/query.h"
#include "query/records.h"

namespace gridtwin::query {

Placement placeGrid(const Twin& twin, std::int32_t g) {
  Placement p;
  if (g < 0) return p;
  const auto grid = static_cast<std::uint32_t>(g);
  p.grid = g;
  p.community = static_cast<std::int32_t>(twin.district().communityOfGrid(grid));
  p.street = static_cast<std::int32_t>(twin.district().streetOfGrid(grid));
  p.stationHead = twin.stationHeadOf(grid);
  return p;
}

StaffView viewStaff(const Twin& twin, const Access& access, std::uint32_t s) {
  const StaffMember& m = twin.staff()[s];
  StaffView v{m.id, m.name, m.phone};
  if (!access.disclosure().staffPhone && !v.phone.empty()) v.phone = ident::maskPhone(v.phone);
  return v;
}

}  // namespace gridtwin::query
