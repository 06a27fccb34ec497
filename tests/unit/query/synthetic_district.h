#pragma once
// A small synthetic district for the query tests, built in memory (no
// GeoPackage): 2 streets, 4 communities, 16 square grids (4 × 4 of about
// 400 m, around 113.05E 23.0N), and random buildings, addresses, houses,
// people, entities, facilities and events placed inside their grids, with
// the links the real loader resolves. Some events have no point (reported by
// address text only). Events fall in the 60 days before query::kReferenceNow.
#include <cstdint>
#include <vector>

#include "model/district.h"
#include "store/staff_reader.h"

namespace gridtwin::query::test {

struct Synthetic {
  model::District district;
  std::vector<store::StaffRow> staff;
};

Synthetic syntheticDistrict(std::uint64_t seed, int buildingsPerGrid = 12);

}  // namespace gridtwin::query::test
