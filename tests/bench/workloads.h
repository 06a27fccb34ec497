#pragma once
// Workloads and tools more than one figure group uses: the people's points,
// the 32-vertex query polygons, and the shell for scripts/postgis. One copy
// here, so that the engine and each anchor are always measured on the same
// inputs.
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "geo/types.h"
#include "model/district.h"

namespace gridtwin::bench {

// Each person's point (EPSG:4547): their house's room address, else the
// building's door plate; NaN when neither exists.
std::vector<geo::Point> peoplePoints(const model::District& d);

// A 32-vertex star around `centre`, radius 300–1,500 m, each vertex pulled in
// by up to 30%: the area queries of issue 4.
geo::Polygon star(std::mt19937_64& rng, geo::Point centre);

// Runs a shell command; its stdout without the trailing newlines. Errors:
// kIo naming the command when it cannot run or exits non-zero.
core::Result<std::string> shell(const std::string& command);

// The command line of scripts/postgis for a cluster kept in `state`, up to
// the verb ("start", "purge", ...), which the caller appends.
std::string postgisScript(const std::string& state);

}  // namespace gridtwin::bench
