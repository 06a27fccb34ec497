#pragma once
// Map pictures for the reports and `gridtwin render`, drawn by Qt's painter
// (antialiased polygons, lines and dots) with labels set in a real font
// engine: WenQuanYi Micro Hei (fonts-wqy-microhei, installed by
// scripts/setup) through QFont, so Chinese names are drawn as text, not a
// bitmap font. Runs headless: without a Qt application it starts one on the
// "offscreen" platform. This header includes no Qt.
//
// A build without Qt (-DGRIDTWIN_VIEWER=OFF) has no drawing: canDraw() is
// false and every function below returns kUnsupported saying so.
#include <cstdint>
#include <string>
#include <vector>

#include "boundary/coverage.h"
#include "core/error.h"
#include "model/district.h"
#include "query/access.h"
#include "query/twin.h"

namespace gridtwin::report {

// Whether this build draws pictures (it was built with Qt).
bool canDraw();
// The reason when it does not, for messages.
inline constexpr const char* kNoDrawing =
    "this gridtwin was built without Qt (-DGRIDTWIN_VIEWER=OFF): it cannot draw pictures or "
    "write PDF";

// RGBA, 8 bits a channel, row-major from the top-left, not premultiplied.
struct Picture {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;
};

// One grid as its station head sees it: the grid filled and outlined, its
// neighbours around it with their codes' last three digits, roads,
// buildings, facilities and open events, the findings that touch it in red,
// the grid's code and name, and a scale bar.
struct GridMapInput {
  const model::District* district = nullptr;
  std::uint32_t grid = 0;
  std::vector<boundary::Finding> findings;  // those touching the grid
  int size = 900;                           // pixels, square
  // With a twin and an access: the facilities (teal) and the open events
  // (orange) in view, of the grids in the access's scope only.
  const query::Twin* twin = nullptr;
  const query::Access* access = nullptr;
};
core::Result<Picture> drawGridMap(const GridMapInput& input);
// Errors: kWriteFailed naming the path.
core::Result<void> gridMap(const GridMapInput& input, const std::string& pngPath);

// The whole district at a glance: grids tinted by street, community and
// street boundaries with the streets' names, roads, buildings, and the
// events of the last `hours` before `now` as red dots.
struct DistrictMapInput {
  const model::District* district = nullptr;
  std::int64_t now = 0;  // Unix seconds
  int hours = 24;
  int size = 1600;  // pixels, square
};
core::Result<Picture> drawDistrictMap(const DistrictMapInput& input);
// Errors: kWriteFailed naming the path.
core::Result<void> districtMap(const DistrictMapInput& input, const std::string& pngPath);

// PNG files, all or nothing (a temporary file renamed into place).
// Errors: kWriteFailed / kNotFound naming the path.
core::Result<void> writePng(const Picture& picture, const std::string& path);
core::Result<Picture> readPng(const std::string& path);

}  // namespace gridtwin::report
