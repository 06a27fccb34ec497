#pragma once
// The catalogue's styles as QGIS reads them: a QML document per layer (a
// single-symbol renderer from LayerStyle: fill, stroke, width, opacity,
// size, dash; the label attribute as simple labelling; the scale range),
// the rows of a GeoPackage's `layer_styles` table (the QGIS convention, so
// that QGIS loads each layer's default style on opening it), and a QGIS
// project (.qgs) with the layer tree grouped by category.
//
// Pure text; thread-safe.
#include <string>
#include <string_view>
#include <vector>

#include "layers/catalog.h"

namespace gridtwin::layers {

// The QML document of the layer's style (QGIS 3.22 reads it; colours as
// "r,g,b,a", widths and sizes in pixels).
std::string qgisQml(const LayerSpec& spec);

// The SQL that creates QGIS's layer_styles table (if absent) and inserts one
// default style per spec, for the geometry column `geometryColumn` of each
// spec's table. Values are quoted here; `updateTime` is an ISO 8601 text.
// The table is registered in gpkg_contents as an attributes table (GDAL, and
// QGIS through it, find only registered tables).
std::vector<std::string> layerStylesSql(const std::vector<LayerSpec>& specs,
                                        std::string_view geometryColumn,
                                        std::string_view updateTime);

struct QgisServiceLayer {
  std::string id;  // the collection id ("grids")
  std::string title;
};

struct QgisProjectInput {
  std::string gpkgPath;  // as the project should name it (absolute, or relative to the .qgs)
  std::vector<LayerSpec> layers;  // the catalogue layers present in the GeoPackage
  // Optional: the gridtwin service. Empty: no service layers.
  std::string serviceUrl;                            // "http://127.0.0.1:8080"
  std::vector<QgisServiceLayer> serviceCollections;  // OGC API – Features collections
  std::vector<std::string> tileLayers;  // shown in the vector tile layer (for its name)
};

// The project XML: CRS EPSG:4490, one group per catalogue category (in the
// catalogue's order of first appearance), each layer a GeoPackage layer
// ("path|layername=table") carrying its style; with a service URL, a group
// "服务 service" holding an OGC API – Features layer (QGIS's OAPIF provider)
// per collection and the service's vector tiles (type=xyz).
std::string qgisProject(const QgisProjectInput& input);

}  // namespace gridtwin::layers
