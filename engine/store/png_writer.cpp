#include "store/png_writer.h"

#include <gdal.h>

#include <cstdio>
#include <filesystem>
#include <memory>

namespace gridtwin::store {

namespace {

struct DatasetClose {
  void operator()(void* ds) const { GDALClose(static_cast<GDALDatasetH>(ds)); }
};
using DatasetPtr = std::unique_ptr<void, DatasetClose>;

}  // namespace

core::Result<void> writePngPlanes(const std::string& path, int width, int height,
                                  std::span<const std::uint8_t> planes) {
  const std::size_t n = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  if (width <= 0 || height <= 0 || planes.size() != 4 * n) {
    return core::makeError(core::ErrorCode::kInvalidArgument,
                           "a picture of " + std::to_string(width) + " x " +
                               std::to_string(height) + " pixels needs " + std::to_string(4 * n) +
                               " bytes of band planes, got " + std::to_string(planes.size()),
                           path);
  }
  GDALAllRegister();
  GDALDriverH mem = GDALGetDriverByName("MEM");
  GDALDriverH png = GDALGetDriverByName("PNG");
  if (mem == nullptr || png == nullptr) {
    return core::makeError(core::ErrorCode::kWriteFailed, "GDAL has no MEM or PNG driver", path);
  }
  DatasetPtr ds(GDALCreate(mem, "", width, height, 4, GDT_Byte, nullptr));
  if (!ds) return core::makeError(core::ErrorCode::kWriteFailed, "GDAL MEM failed", path);
  bool ok = true;
  for (int b = 0; b < 4; ++b) {
    // GDALRasterIO does not write through the buffer when writing; it takes void*.
    auto* plane = const_cast<std::uint8_t*>(planes.data() + static_cast<std::size_t>(b) * n);
    ok = ok && GDALRasterIO(GDALGetRasterBand(ds.get(), b + 1), GF_Write, 0, 0, width, height,
                            plane, width, height, GDT_Byte, 0, 0) == CE_None;
  }
  const std::string tmp = path + ".tmp.png";
  const char* options[] = {"ZLEVEL=3", nullptr};
  DatasetPtr out(ok ? GDALCreateCopy(png, tmp.c_str(), ds.get(), FALSE, const_cast<char**>(options),
                                     nullptr, nullptr)
                    : nullptr);
  ds.reset();
  if (!out) {
    std::remove(tmp.c_str());
    std::remove((tmp + ".aux.xml").c_str());
    return core::makeError(core::ErrorCode::kWriteFailed,
                           std::string("cannot write PNG: ") + CPLGetLastErrorMsg(), path);
  }
  out.reset();
  std::remove((tmp + ".aux.xml").c_str());
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    return core::makeError(core::ErrorCode::kWriteFailed, ec.message(), path);
  }
  return {};
}

}  // namespace gridtwin::store
