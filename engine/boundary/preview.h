#pragma once
// Boundary edit preview: before a grid's boundary changes, what would move
// between grids, and what the new coverage would get wrong.
//
// The edit: grid G takes the proposed polygon P. Every other grid loses what
// P now covers (N' = N − P), so the coverage gains no overlap; each part G
// gives up (G − P) goes to the neighbour sharing the longest boundary with
// that part (a moved shared edge), or becomes a gap when it touches none.
//
// What moves: the records of the registers a grid station keeps —
// addresses, houses, people, entities, facilities and open events (not yet
// 评价结案) — each placed by its point (query::Twin::points) with the
// locator's tie rule, before and after. New findings: validate() on the
// edited coverage, less those the coverage already had.
//
// Thread-safety: pure function of its inputs.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "boundary/coverage.h"
#include "core/error.h"
#include "model/district.h"
#include "query/twin.h"

namespace gridtwin::boundary {

// The registers counted, in this order.
inline constexpr std::array<model::Kind, 6> kMovedKinds = {
    model::Kind::kAddress, model::Kind::kHouse,    model::Kind::kPerson,
    model::Kind::kEntity,  model::Kind::kFacility, model::Kind::kEvent};
// "addresses", "houses", "people", "entities", "facilities", "open_events".
std::string_view movedKindName(std::size_t i);

struct Flow {
  std::string from, to;  // grid codes; "" = outside every grid
  std::array<std::uint64_t, kMovedKinds.size()> counts{};
};

struct EditPreview {
  std::string grid;
  double areaBeforeM2 = 0, areaAfterM2 = 0;
  std::vector<Unit> grids;           // the whole coverage after the edit
  std::vector<std::string> changed;  // codes of the grids whose shape changed, G first
  std::vector<Flow> flows;           // sorted by from, to
  std::array<std::uint64_t, kMovedKinds.size()> moved{};  // totals
  std::vector<Finding> newFindings;
};

// `coverage`: the current grids with their parents and the district outline
// (readCoverage on the dataset); `twin`: the loaded district whose grids they
// are. `proposed` in EPSG:4547. Errors: kInvalidArgument for an unknown grid
// code or an empty proposal; GEOS's.
core::Result<EditPreview> previewEdit(const query::Twin& twin, const Coverage& coverage,
                                      std::string_view gridCode, const geo::MultiPolygon& proposed,
                                      const CoverageOptions& options = {});

// Text and JSON ({"grid", "area_before_m2", "area_after_m2", "changed",
// "flows": [{"from", "to", "addresses", ...}], "moved": {...},
// "new_findings": [...]}).
std::string previewText(const EditPreview& p);
std::string previewJson(const EditPreview& p);

}  // namespace gridtwin::boundary
