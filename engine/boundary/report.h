#pragma once
// The grid head's report (网格体检表): one grid's area, perimeter and
// neighbours (with the length of each shared edge), everything inside it
// counted the way a grid station reports (people by tag, entities by credit
// colour, houses, facilities by type, events of the last 30 days by
// category and status), the coverage findings that touch it, and a map
// picture of it among its neighbours.
//
// Counts go through the query layer with the caller's Access: a role sees
// only the grids of its scope (a report on another grid is refused), records
// stored in grids outside it are left out of the findings too, and the
// station head's phone is masked for roles that may not see staff phones.
//
// ReportBook computes once what all reports share (shapes, neighbours, the
// findings of the whole coverage), so the 478 reports of the district come
// out of one run.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "boundary/coverage.h"
#include "core/error.h"
#include "query/access.h"
#include "query/twin.h"

namespace gridtwin::boundary {

struct Neighbour {
  std::string code;
  std::string name;
  double sharedEdgeM = 0;
};

struct Count {
  std::string label;
  std::uint64_t n = 0;
};

struct GridReport {
  std::string code, name;
  std::string communityCode, communityName, streetCode, streetName;
  std::string stationHead, stationHeadPhone;  // as the role may see them
  std::size_t workers = 0;
  double areaM2 = 0, perimeterM = 0;
  std::vector<Neighbour> neighbours;  // by shared edge, longest first
  std::vector<Count> records;         // per register
  std::vector<Count> peopleByTag;
  std::vector<Count> entitiesByColour;
  std::vector<Count> facilitiesByType;  // non-zero, most first
  std::uint64_t ownerlessFacilities = 0;
  std::vector<Count> eventsByStatus;    // the window below
  std::vector<Count> eventsByCategory;  // non-zero, most first
  std::string eventWindow;              // "2026-06-01T00:00:00+08:00 – 2026-07-01T00:00:00+08:00"
  std::vector<Finding> findings;        // coverage and ownership findings naming this grid
  std::string role;                     // who the report was made for
};

class ReportBook {
 public:
  // `findings`: the coverage's (validate() on the dataset's grids) and the
  // records' (checkOwnership()); each report lists those whose codes name
  // its grid. Errors: GEOS's.
  static core::Result<ReportBook> make(const query::Twin& twin, std::vector<Finding> findings);

  // Errors: kInvalidArgument for an unknown code or a grid outside the
  // access scope (naming both).
  core::Result<GridReport> report(std::string_view gridCode, const query::Access& access,
                                  std::int64_t now) const;
  core::Result<std::uint32_t> gridIndex(std::string_view code) const;
  // The findings touching grid g.
  std::vector<Finding> findingsOf(std::uint32_t grid) const;

 private:
  const query::Twin* m_twin = nullptr;
  std::vector<double> m_area, m_perimeter;
  std::vector<std::vector<Neighbour>> m_neighbours;
  std::vector<Finding> m_findings;
  std::map<std::string, std::uint32_t, std::less<>> m_index;  // grid code → row
};

// Rendered as Markdown, HTML and PDF by report/grid_report.h.

}  // namespace gridtwin::boundary
