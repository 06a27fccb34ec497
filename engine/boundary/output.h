#pragma once
// Findings written out: text for people, JSON for programs
// ({"findings": [...]}), and a GeoPackage of the problem geometries for GIS.
#include <string>
#include <vector>

#include "boundary/coverage.h"
#include "core/error.h"

namespace gridtwin::boundary {

// One line per finding: "overlap 440604...001,440604...002 at 113.0912345,23.0123456: 30.2 m2".
std::string findingsText(const std::vector<Finding>& findings);

// {"findings": [{"kind", "codes", "lon", "lat", "x", "y", "measure", "unit",
// "detail"[, "stored_grid"]}...], "count": N, "by_kind": {"overlap": 1, ...}}.
std::string findingsJson(const std::vector<Finding>& findings);

// A GeoPackage with two layers in EPSG:4490: `findings` (one point per
// finding, at its place, with its fields) and `finding_areas` (the problem
// geometry of those that have one). All or nothing: written to a temporary
// file and renamed. Errors: the writer's, naming the path.
core::Result<void> writeFindingsGpkg(const std::string& path, const std::vector<Finding>& findings);

}  // namespace gridtwin::boundary
