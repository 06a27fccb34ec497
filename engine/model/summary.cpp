#include "model/summary.h"

namespace gridtwin::model {
namespace {

// Adds one per row to the grid's counter chosen by `field`.
template <class Span>
void countByGrid(const Span& grid, std::vector<AreaCounts>& perGrid,
                 std::uint64_t AreaCounts::*field) {
  for (std::uint32_t g : grid) ++(perGrid[g].*field);
}

}  // namespace

DistrictSummary summarize(const District& d) {
  DistrictSummary s;
  for (std::size_t k = 0; k < kKindCount; ++k) s.kinds[k] = d.count(static_cast<Kind>(k));
  std::vector<AreaCounts> perGrid(d.grids().size());
  for (auto& g : perGrid) g.grids = 1;
  countByGrid(d.buildings().grid, perGrid, &AreaCounts::buildings);
  countByGrid(d.houses().grid, perGrid, &AreaCounts::houses);
  countByGrid(d.people().grid, perGrid, &AreaCounts::people);
  countByGrid(d.entities().grid, perGrid, &AreaCounts::entities);
  countByGrid(d.facilities().grid, perGrid, &AreaCounts::facilities);
  countByGrid(d.events().grid, perGrid, &AreaCounts::events);

  s.communities.resize(d.communities().size());
  for (std::size_t c = 0; c < s.communities.size(); ++c) {
    s.communities[c].code = d.communities().code[c];
    s.communities[c].name = d.communities().name[c];
  }
  s.streets.resize(d.streets().size());
  for (std::size_t c = 0; c < s.streets.size(); ++c) {
    s.streets[c].code = d.streets().code[c];
    s.streets[c].name = d.streets().name[c];
  }
  auto add = [](AreaCounts& to, const AreaCounts& from) {
    to.grids += from.grids;
    to.buildings += from.buildings;
    to.houses += from.houses;
    to.people += from.people;
    to.entities += from.entities;
    to.facilities += from.facilities;
    to.events += from.events;
  };
  for (std::size_t g = 0; g < perGrid.size(); ++g) {
    const std::uint32_t c = d.grids().community[g];
    add(s.communities[c], perGrid[g]);
    add(s.streets[d.communities().street[c]], perGrid[g]);
  }
  return s;
}

}  // namespace gridtwin::model
