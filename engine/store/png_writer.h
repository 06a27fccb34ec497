#pragma once
// PNG files through GDAL (which stays inside engine/store), for the pictures
// other modules draw themselves.
#include <cstdint>
#include <span>
#include <string>

#include "core/error.h"

namespace gridtwin::store {

// Writes an 8-bit RGBA picture given as four band planes (all red values
// row by row, then green, blue, alpha: 4 * width * height bytes) to `path`,
// all or nothing: into a temporary file beside it, renamed into place once
// complete. zlib level 3 (a third of the default's time for a few % more
// bytes). Errors: kWriteFailed naming the path and GDAL's or the system's reason.
core::Result<void> writePngPlanes(const std::string& path, int width, int height,
                                  std::span<const std::uint8_t> planes);

}  // namespace gridtwin::store
