#pragma once
// Well-Known Binary reading and writing (2D).
//
// Reading accepts both byte orders (each nested geometry may declare its
// own), ISO type codes (1..7, +1000 Z, +2000 M, +3000 ZM) and PostGIS EWKB
// (flag bits 0x80000000 Z, 0x40000000 M, 0x20000000 SRID followed by a 4-byte
// SRID, which is ignored). Z and M ordinates are read and DROPPED. A point
// whose two coordinates are NaN is POINT EMPTY (the GEOS/PostGIS convention);
// any other NaN or infinity is kNonFinite. Polygon rings need at least 4
// points (kTooFewPoints) and must be closed (kUnclosedRing).
//
// Hostile input is safe: a declared count is checked against the bytes that
// remain before anything is allocated, so a 9-byte blob claiming 4 billion
// points costs nothing; nesting deeper than 64 collections is kUnsupported.
// Errors carry the byte offset ("at offset 13: ...") and the caller's context.
//
// Thread-safe: no shared state.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "geo/geometry.h"

namespace gridtwin::geo {

core::Result<Geometry> readWkb(std::span<const std::uint8_t> bytes, std::string_view context = {});

// Little-endian ISO WKB, 2D. POINT EMPTY is written as (NaN NaN).
std::vector<std::uint8_t> writeWkb(const Geometry& g);

}  // namespace gridtwin::geo
