#include "layers/qgis_style.h"
#include "core/markup.h"

#include <cstdio>
#include <map>

namespace gridtwin::layers {

namespace {

std::string xmlEscape(std::string_view s) { return core::markupEscape(s); }

std::string sqlQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// "#rrggbb" -> "r,g,b,a"; an empty or unreadable colour is `fallback`.
std::string rgba(const std::string& hex, double alpha, const std::string& fallback) {
  unsigned r = 0, g = 0, b = 0;
  if (hex.size() != 7 || hex[0] != '#' ||
      std::sscanf(hex.c_str() + 1, "%2x%2x%2x", &r, &g, &b) != 3) {
    return fallback;
  }
  return std::to_string(r) + "," + std::to_string(g) + "," + std::to_string(b) + "," +
         std::to_string(static_cast<int>(alpha * 255 + 0.5));
}

std::string prop(std::string_view k, std::string_view v) {
  return "      <prop k=\"" + xmlEscape(k) + "\" v=\"" + xmlEscape(v) + "\"/>\n";
}

std::string dashOf(const LayerStyle& s) {
  std::string d;
  for (double v : s.dash) d += (d.empty() ? "" : ";") + number(v);
  return d;
}

enum class Family { kPoint, kLine, kPolygon };

Family familyOf(GeometryType t) {
  switch (t) {
    case GeometryType::kPoint:
      return Family::kPoint;
    case GeometryType::kLineString:
      return Family::kLine;
    default:
      return Family::kPolygon;
  }
}

// The <symbol> of a single-symbol renderer.
std::string symbolXml(const LayerSpec& spec) {
  const LayerStyle& s = spec.style;
  const std::string alpha = number(s.opacity);
  std::string x;
  switch (familyOf(spec.geometryType)) {
    case Family::kPolygon:
      x += "    <symbol type=\"fill\" name=\"0\" alpha=\"" + alpha +
           "\" clip_to_extent=\"1\" force_rhr=\"0\">\n";
      x += "     <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n";
      x += prop("color", rgba(s.fill, 1, "0,0,0,0"));
      x += prop("style", s.fill.empty() ? "no" : "solid");
      x += prop("outline_color", rgba(s.stroke, 1, "35,35,35,255"));
      x += prop("outline_style", s.dash.empty() ? "solid" : "dash");
      x += prop("outline_width", number(s.width));
      x += prop("outline_width_unit", "Pixel");
      x += "     </layer>\n";
      break;
    case Family::kLine:
      x += "    <symbol type=\"line\" name=\"0\" alpha=\"" + alpha +
           "\" clip_to_extent=\"1\" force_rhr=\"0\">\n";
      x += "     <layer class=\"SimpleLine\" enabled=\"1\" locked=\"0\" pass=\"0\">\n";
      x += prop("line_color", rgba(s.stroke.empty() ? s.fill : s.stroke, 1, "35,35,35,255"));
      x += prop("line_width", number(s.width));
      x += prop("line_width_unit", "Pixel");
      x += prop("line_style", "solid");
      x += prop("use_custom_dash", s.dash.empty() ? "0" : "1");
      x += prop("customdash", s.dash.empty() ? "5;2" : dashOf(s));
      x += prop("customdash_unit", "Pixel");
      x += prop("capstyle", "round");
      x += prop("joinstyle", "round");
      x += "     </layer>\n";
      break;
    case Family::kPoint:
      x += "    <symbol type=\"marker\" name=\"0\" alpha=\"" + alpha +
           "\" clip_to_extent=\"1\" force_rhr=\"0\">\n";
      x += "     <layer class=\"SimpleMarker\" enabled=\"1\" locked=\"0\" pass=\"0\">\n";
      x += prop("name", "circle");
      x += prop("color", rgba(s.fill, 1, "255,127,0,255"));
      x += prop("outline_color", rgba(s.stroke, 1, "255,255,255,255"));
      x += prop("outline_width", number(s.width > 0 ? s.width : 1));
      x += prop("outline_width_unit", "Pixel");
      x += prop("size", number(s.size > 0 ? s.size : 6));
      x += prop("size_unit", "Pixel");
      x += "     </layer>\n";
      break;
  }
  x += "    </symbol>\n";
  return x;
}

std::string rendererXml(const LayerSpec& spec) {
  return "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" "
         "forceraster=\"0\">\n   <symbols>\n" +
         symbolXml(spec) + "   </symbols>\n  </renderer-v2>\n";
}

std::string labelingXml(const LayerSpec& spec) {
  if (spec.style.label.empty()) return {};
  return "  <labeling type=\"simple\">\n   <settings calloutType=\"simple\">\n    <text-style "
         "fieldName=\"" +
         xmlEscape(spec.style.label) +
         "\" fontSize=\"9\" fontSizeUnit=\"Point\" textColor=\"50,50,50,255\" "
         "isExpression=\"0\"/>\n   </settings>\n  </labeling>\n";
}

std::string scaleAttributes(const LayerSpec& spec) {
  const bool limited = spec.minScale > 0 || spec.maxScale > 0;
  return " hasScaleBasedVisibilityFlag=\"" + std::string(limited ? "1" : "0") + "\" minScale=\"" +
         std::to_string(spec.minScale > 0 ? spec.minScale : 100000000) + "\" maxScale=\"" +
         std::to_string(spec.maxScale) + "\"";
}

std::string geometryName(GeometryType t) {
  switch (familyOf(t)) {
    case Family::kPoint:
      return "Point";
    case Family::kLine:
      return "Line";
    default:
      return "Polygon";
  }
}

}  // namespace

std::string qgisQml(const LayerSpec& spec) {
  std::string x = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n";
  x += "<qgis version=\"3.22.16-Białowieża\" styleCategories=\"AllStyleCategories\"" +
       scaleAttributes(spec) + " labelsEnabled=\"" + (spec.style.label.empty() ? "0" : "1") +
       "\">\n";
  x += rendererXml(spec);
  x += labelingXml(spec);
  x += "</qgis>\n";
  return x;
}

std::vector<std::string> layerStylesSql(const std::vector<LayerSpec>& specs,
                                        std::string_view geometryColumn,
                                        std::string_view updateTime) {
  std::vector<std::string> sql;
  // The key is `fid`, as GDAL names it: QGIS reads the table through OGR (the
  // key's name does not matter to it), and a round trip through PostGIS
  // (ingest, then export) writes the same table back, column for column
  // (update_time is ISO-8601 text, like every time of the dataset: as a
  // DATETIME it would come back in GDAL's own "YYYY/MM/DD" form).
  sql.push_back(
      "CREATE TABLE IF NOT EXISTS layer_styles (fid INTEGER PRIMARY KEY AUTOINCREMENT, "
      "f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256), "
      "f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT, "
      "useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT, update_time TEXT)");
  // Registered as an attributes table, so that GDAL (and QGIS through it)
  // finds it by name.
  sql.push_back(
      "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
      "SELECT 'layer_styles', 'attributes', 'layer_styles', 'QGIS default styles of the "
      "catalogue layers', " +
      sqlQuote(updateTime) +
      " WHERE NOT EXISTS (SELECT 1 FROM gpkg_contents WHERE table_name = 'layer_styles')");
  for (const LayerSpec& spec : specs) {
    sql.push_back(
        "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
        "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, "
        "update_time) VALUES ('', '', " +
        sqlQuote(spec.table) + ", " + sqlQuote(geometryColumn) + ", " + sqlQuote(spec.table) +
        ", " + sqlQuote(qgisQml(spec)) + ", '', 1, " +
        sqlQuote(spec.name + " (" + spec.id + ", catalogue style " + spec.styleJson + ")") + ", " +
        sqlQuote(spec.ownerDepartment) + ", NULL, " + sqlQuote(updateTime) + ")");
  }
  return sql;
}

std::string qgisProject(const QgisProjectInput& in) {
  const std::string crs =
      "<spatialrefsys nativeFormat=\"Wkt\"><authid>EPSG:4490</authid></spatialrefsys>";
  // Categories in order of first appearance.
  std::vector<std::string> categories;
  std::map<std::string, std::vector<const LayerSpec*>> byCategory;
  for (const LayerSpec& spec : in.layers) {
    if (!byCategory.count(spec.category)) categories.push_back(spec.category);
    byCategory[spec.category].push_back(&spec);
  }
  auto source = [&](const LayerSpec& spec) { return in.gpkgPath + "|layername=" + spec.table; };

  std::string tree = " <layer-tree-group>\n";
  std::string maps = " <projectlayers>\n";
  for (const std::string& category : categories) {
    tree += "  <layer-tree-group name=\"" + xmlEscape(category) +
            "\" checked=\"Qt::Checked\" expanded=\"0\">\n";
    for (const LayerSpec* spec : byCategory[category]) {
      // "L023_lyr_grids": no id is the prefix of another (with bare table names,
      // QGIS 3.22 here left out exactly the layers whose id prefixed another).
      const std::string id = spec->id + "_" + spec->table;
      tree += "   <layer-tree-layer id=\"" + xmlEscape(id) + "\" name=\"" + xmlEscape(spec->name) +
              "\" source=\"" + xmlEscape(source(*spec)) +
              "\" providerKey=\"ogr\" checked=\"Qt::Unchecked\" expanded=\"0\"/>\n";
      maps += "  <maplayer type=\"vector\" geometry=\"" + geometryName(spec->geometryType) + "\"" +
              scaleAttributes(*spec) + " labelsEnabled=\"" +
              (spec->style.label.empty() ? "0" : "1") + "\">\n";
      maps += "   <id>" + xmlEscape(id) + "</id>\n";
      maps += "   <datasource>" + xmlEscape(source(*spec)) + "</datasource>\n";
      maps += "   <layername>" + xmlEscape(spec->name) + "</layername>\n";
      maps += "   <srs>" + crs + "</srs>\n";
      maps += "   <provider encoding=\"UTF-8\">ogr</provider>\n";
      maps += rendererXml(*spec) + labelingXml(*spec);
      maps += "  </maplayer>\n";
    }
    tree += "  </layer-tree-group>\n";
  }
  if (!in.serviceUrl.empty()) {
    tree += "  <layer-tree-group name=\"服务 service\" checked=\"Qt::Checked\" expanded=\"0\">\n";
    std::string base = in.serviceUrl;
    while (!base.empty() && base.back() == '/') base.pop_back();
    for (const QgisServiceLayer& c : in.serviceCollections) {
      const std::string id = "oapif_" + c.id;
      const std::string ds = "url='" + base + "' typename='" + c.id + "' pagingEnabled='true'";
      tree += "   <layer-tree-layer id=\"" + xmlEscape(id) + "\" name=\"" + xmlEscape(c.title) +
              "\" source=\"" + xmlEscape(ds) +
              "\" providerKey=\"OAPIF\" checked=\"Qt::Unchecked\" expanded=\"0\"/>\n";
      maps += "  <maplayer type=\"vector\">\n   <id>" + xmlEscape(id) + "</id>\n   <datasource>" +
              xmlEscape(ds) + "</datasource>\n   <layername>" + xmlEscape(c.title) +
              "</layername>\n   <srs>" + crs +
              "</srs>\n   <provider encoding=\"UTF-8\">OAPIF</provider>\n  </maplayer>\n";
    }
    const std::string tiles = "type=xyz&url=" + base + "/tiles/{z}/{x}/{y}.mvt&zmin=10&zmax=18";
    tree += "   <layer-tree-layer id=\"service_tiles\" name=\"矢量瓦片 vector tiles\" source=\"" +
            xmlEscape(tiles) + "\" providerKey=\"\" checked=\"Qt::Checked\" expanded=\"0\"/>\n";
    maps += "  <maplayer type=\"vector-tile\">\n   <id>service_tiles</id>\n   <datasource>" +
            xmlEscape(tiles) +
            "</datasource>\n   <layername>矢量瓦片 vector tiles</layername>\n   <srs>"
            "<spatialrefsys nativeFormat=\"Wkt\"><authid>EPSG:3857</authid></spatialrefsys>"
            "</srs>\n  </maplayer>\n";
    tree += "  </layer-tree-group>\n";
  }
  tree += " </layer-tree-group>\n";
  maps += " </projectlayers>\n";
  return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
         "<qgis projectname=\"gridtwin\" version=\"3.22.16-Białowieża\">\n"
         " <title>gridtwin</title>\n"
         " <projectCrs>" +
         crs + "</projectCrs>\n" + tree + maps + "</qgis>\n";
}

}  // namespace gridtwin::layers
