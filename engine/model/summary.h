#pragma once
// Counts per kind, per street and per community: what `gridtwin info`
// prints, computed from a District in one pass over each kind's grid column.
// Thread-safe: reads the District only.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "model/district.h"

namespace gridtwin::model {

struct AreaCounts {
  std::string code;
  std::string name;
  std::uint64_t grids = 0;
  std::uint64_t buildings = 0;
  std::uint64_t houses = 0;
  std::uint64_t people = 0;
  std::uint64_t entities = 0;
  std::uint64_t facilities = 0;
  std::uint64_t events = 0;
};

struct DistrictSummary {
  std::array<std::uint64_t, kKindCount> kinds{};  // by Kind
  std::vector<AreaCounts> streets;                // in street index order
  std::vector<AreaCounts> communities;            // in community index order
};

DistrictSummary summarize(const District& district);

}  // namespace gridtwin::model
