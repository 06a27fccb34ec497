#pragma once
// Placing a model in the district: the model's plan bounding-box centre goes
// to (x, y) in EPSG:4547 at height z, turned counter-clockwise by
// rotationDeg about that point and scaled by `scale`
// (data/generator/bim_models.h stores one per building).
#include "bim/model.h"

namespace gridtwin::bim {

struct Anchor {
  double x = 0, y = 0, z = 0;
  double rotationDeg = 0;
  double scale = 1;
};

// Model coordinates -> district (EPSG:4547) for a model whose bounds are `bounds`.
Vec3 place(const Anchor& anchor, const Box3& bounds, const Vec3& p);
// District -> model coordinates (the inverse of place()).
Vec3 unplace(const Anchor& anchor, const Box3& bounds, const Vec3& p);

}  // namespace gridtwin::bim
