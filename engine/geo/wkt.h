#pragma once
// Well-Known Text reading and writing (OGC 06-103r4 simple features, 2D).
//
// Reading accepts POINT, LINESTRING, POLYGON, MULTIPOINT (both "(1 2, 3 4)"
// and "((1 2), (3 4))"), MULTILINESTRING, MULTIPOLYGON, GEOMETRYCOLLECTION,
// EMPTY at every level, keywords in any case, and an optional "SRID=n;"
// prefix (EWKT, the SRID is ignored). Z, M and ZM coordinates are accepted,
// tagged ("POINT Z (1 2 3)") or untagged ("POINT (1 2 3)"), and the extra
// ordinates are DROPPED: the engine's geometry is 2D. Every position of one
// geometry must have the same number of ordinates.
//
// Rejected, with kind and character offset in the message: NaN/Infinity
// (kNonFinite), numbers out of double range (kBadNumber), polygon rings with
// fewer than 4 points (kTooFewPoints) or not closed (kUnclosedRing),
// 1-point linestrings (kTooFewPoints), unknown keywords, missing parentheses,
// trailing garbage (kSyntax), empty input (kEmptyInput), collections nested
// deeper than 64 levels (kUnsupported).
//
// Thread-safe: no shared state.
#include <string>
#include <string_view>

#include "core/error.h"
#include "geo/geometry.h"

namespace gridtwin::geo {

// `context` names the input in errors ("grids.csv:12"); it becomes
// Error::context, and the message starts with "at offset N:".
core::Result<Geometry> readWkt(std::string_view text, std::string_view context = {});

// "POINT (1 2)", "POLYGON ((0 0, 1 0, 1 1, 0 0))", "MULTIPOINT ((1 2), (3 4))",
// "POINT EMPTY". precision >= 17: the shortest text that reads back to the
// same doubles; less: at most that many decimals, trailing zeros trimmed.
std::string writeWkt(const Geometry& g, int precision = 17);

}  // namespace gridtwin::geo
