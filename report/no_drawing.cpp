// The drawing and printing functions of a build without Qt
// (-DGRIDTWIN_VIEWER=OFF): each says that this build cannot draw.
#include "report/map.h"
#include "report/pdf.h"

namespace gridtwin::report {

namespace {

core::Error noDrawing(const std::string& what) {
  return core::makeError(core::ErrorCode::kUnsupported, kNoDrawing, what);
}

}  // namespace

bool canDraw() { return false; }

core::Result<Picture> drawGridMap(const GridMapInput&) { return noDrawing("grid map"); }

core::Result<void> gridMap(const GridMapInput&, const std::string& pngPath) {
  return noDrawing(pngPath);
}

core::Result<Picture> drawDistrictMap(const DistrictMapInput&) { return noDrawing("district map"); }

core::Result<void> districtMap(const DistrictMapInput&, const std::string& pngPath) {
  return noDrawing(pngPath);
}

core::Result<void> writePng(const Picture&, const std::string& path) { return noDrawing(path); }

core::Result<Picture> readPng(const std::string& path) { return noDrawing(path); }

core::Result<void> htmlToPdf(const std::string&, const std::string&, const std::string& pdfPath) {
  return noDrawing(pdfPath);
}

}  // namespace gridtwin::report
