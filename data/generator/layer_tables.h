#pragma once
// One feature table per catalogued layer (layers/catalog.csv). A plain
// selection becomes a SQL view over its base table (no copy of millions of
// rows; the filter is the view's WHERE clause); buffers, centroids,
// boundaries and densities are computed and stored as tables. The
// layer_catalog table lists every layer with its feature count.
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "district.h"
#include "layers/catalog.h"

namespace gridtwin::store {
class GpkgWriter;
}

namespace gridtwin::generator {

class Output;

struct LayerTotals {
  std::int64_t layers = 0;
  std::int64_t features = 0;  // over all layers, views included
};

// The WHERE clause that a catalogue source's filters mean on its base table
// (exposed for tests). Values are quoted; unknown keys are an error.
core::Result<std::string> layerFilterSql(const layers::LayerSource& source);

core::Result<LayerTotals> writeLayerTables(store::GpkgWriter& writer,
                                           const std::vector<layers::LayerSpec>& specs,
                                           const District& district, const Output& out);

}  // namespace gridtwin::generator
