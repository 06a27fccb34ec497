// OBJ (bim::parseObj, as `gridtwin bim info` reads it): any bytes give a
// model or an error with a message; every triangle index of a model is inside
// its vertices and every coordinate is finite.
#include <cmath>

#include "bim/model.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gridtwin;
  const std::string text(fuzz::text(data, size));
  auto model = bim::parseObj(text, "fuzz");
  fuzz::requireValueOrMessage(model, "parseObj error without a message");
  if (!model.ok()) return 0;
  for (const auto& mesh : model->meshes) {
    for (auto i : mesh.indices) fuzz::require(i * 3 + 2 < mesh.positions.size(), "index in range");
    for (float v : mesh.positions) fuzz::require(std::isfinite(v), "finite coordinate");
  }
  return 0;
}
