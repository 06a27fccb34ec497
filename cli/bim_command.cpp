// gridtwin bim info FILE [--format text|json]
// gridtwin bim export FILE --to out.glb|out.obj
// gridtwin bim rooms DATASET BUILDING_ID [--role R --scope S] [--format text|json]
//
// Building models (engine/bim): IFC2X3/IFC4, glTF 2.0, OBJ, CityJSON,
// CityGML. `info` prints the schema, storeys, spaces, element counts by
// type, postal address, georeference and bounding box; `export` writes the
// triangles as binary glTF or OBJ (all or nothing, core/output_file); `rooms`
// links a district building's model to its floors and room addresses and
// lists each room with its address, residents and entities as the role may
// see them.
//
// Exit codes: 0 ok; 1 bad input (a file that does not read, names the file
// and what is wrong); 2 usage.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "bim/model.h"
#include "commands.h"
#include "io.h"

namespace gridtwin::cli {
namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  std::string s = buf;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s;
}

std::string jsonNum(double v) {
  const std::string s = formatCoordinate(v);
  return s.empty() ? "null" : s;
}

void printBox(std::ostream& out, const bim::Box3& b) {
  if (b.empty()) {
    out << "null";
    return;
  }
  out << "{\"min\": [" << jsonNum(b.min.x) << ", " << jsonNum(b.min.y) << ", " << jsonNum(b.min.z)
      << "], \"max\": [" << jsonNum(b.max.x) << ", " << jsonNum(b.max.y) << ", " << jsonNum(b.max.z)
      << "]}";
}

void printInfoJson(std::ostream& out, const bim::Model& m) {
  out << "{\n  \"file\": " << jsonQuote(m.path)
      << ",\n  \"format\": " << jsonQuote(bim::formatName(m.format))
      << ",\n  \"schema\": " << jsonQuote(m.schema) << ",\n  \"name\": " << jsonQuote(m.name)
      << ",\n  \"storeys\": [";
  for (std::size_t i = 0; i < m.storeys.size(); ++i) {
    const auto& s = m.storeys[i];
    std::size_t spaces = 0;
    for (const auto& sp : m.spaces) spaces += sp.storey == static_cast<int>(i);
    out << (i ? ",\n    " : "\n    ") << "{\"index\": " << i << ", \"id\": " << jsonQuote(s.id)
        << ", \"name\": " << jsonQuote(s.name)
        << ", \"elevation\": " << (s.hasElevation ? jsonNum(s.elevation) : "null")
        << ", \"spaces\": " << spaces << "}";
  }
  out << (m.storeys.empty() ? "]" : "\n  ]") << ",\n  \"spaces\": [";
  for (std::size_t i = 0; i < m.spaces.size(); ++i) {
    const auto& s = m.spaces[i];
    out << (i ? ",\n    " : "\n    ") << "{\"index\": " << i << ", \"id\": " << jsonQuote(s.id)
        << ", \"number\": " << jsonQuote(s.number) << ", \"name\": " << jsonQuote(s.name)
        << ", \"storey\": " << s.storey << ", \"bounds\": ";
    printBox(out, s.bounds);
    out << "}";
  }
  out << (m.spaces.empty() ? "]" : "\n  ]") << ",\n  \"elements\": {";
  bool first = true;
  for (const auto& [type, n] : m.elementCounts) {
    out << (first ? "" : ", ") << jsonQuote(type) << ": " << n;
    first = false;
  }
  out << "},\n  \"buildings\": " << m.buildingCount() << ",\n  \"address\": ";
  if (m.address) {
    out << "{\"lines\": [";
    for (std::size_t i = 0; i < m.address->lines.size(); ++i) {
      out << (i ? ", " : "") << jsonQuote(m.address->lines[i]);
    }
    out << "], \"town\": " << jsonQuote(m.address->town)
        << ", \"region\": " << jsonQuote(m.address->region)
        << ", \"postal_code\": " << jsonQuote(m.address->postalCode)
        << ", \"country\": " << jsonQuote(m.address->country) << "}";
  } else {
    out << "null";
  }
  const auto& g = m.georeference;
  out << ",\n  \"georeference\": {\"crs\": " << jsonQuote(g.targetCrs) << ", \"map_conversion\": ";
  if (g.hasMapConversion) {
    out << "{\"eastings\": " << jsonNum(g.eastings) << ", \"northings\": " << jsonNum(g.northings)
        << ", \"orthogonal_height\": " << jsonNum(g.orthogonalHeight)
        << ", \"x_axis_abscissa\": " << jsonNum(g.xAxisAbscissa)
        << ", \"x_axis_ordinate\": " << jsonNum(g.xAxisOrdinate)
        << ", \"scale\": " << jsonNum(g.scale) << "}";
  } else {
    out << "null";
  }
  out << ", \"site\": ";
  if (g.hasSiteReference) {
    out << "{\"latitude\": " << jsonNum(g.latitude) << ", \"longitude\": " << jsonNum(g.longitude)
        << ", \"elevation\": " << jsonNum(g.elevation) << "}";
  } else {
    out << "null";
  }
  out << ", \"true_north_degrees\": " << (g.hasTrueNorth ? jsonNum(g.trueNorthDegrees) : "null")
      << "},\n  \"bounds\": ";
  printBox(out, m.bounds);
  out << ",\n  \"triangles\": " << m.triangleCount() << ",\n  \"materials\": [";
  for (std::size_t i = 0; i < m.materials.size(); ++i) {
    out << (i ? ", " : "") << jsonQuote(m.materials[i].name);
  }
  out << "]\n}\n";
}

void printInfoText(std::ostream& out, const bim::Model& m) {
  out << "file          " << m.path << "\nformat        " << bim::formatName(m.format) << " ("
      << m.schema << ")\n";
  if (!m.name.empty()) out << "name          " << m.name << "\n";
  out << "storeys       " << m.storeys.size() << "\n";
  for (std::size_t i = 0; i < m.storeys.size(); ++i) {
    const auto& s = m.storeys[i];
    std::size_t spaces = 0;
    for (const auto& sp : m.spaces) spaces += sp.storey == static_cast<int>(i);
    out << "  " << i << "  " << (s.name.empty() ? "(unnamed)" : s.name) << "  elevation "
        << (s.hasElevation ? num(s.elevation) + " m" : std::string("unknown")) << "  " << spaces
        << " spaces\n";
  }
  out << "spaces        " << m.spaces.size() << "\n";
  for (const auto& s : m.spaces) {
    out << "  " << (s.number.empty() ? "(no number)" : s.number);
    if (!s.name.empty()) out << "  " << s.name;
    out << "  storey " << (s.storey >= 0 ? std::to_string(s.storey) : std::string("none"));
    if (!s.bounds.empty()) {
      out << "  " << num(s.bounds.max.x - s.bounds.min.x) << " x "
          << num(s.bounds.max.y - s.bounds.min.y) << " m";
    }
    out << "\n";
  }
  if (!m.cityObjects.empty()) {
    out << "city objects  " << m.cityObjects.size() << " (" << m.buildingCount() << " buildings)\n";
  }
  out << "elements      ";
  bool first = true;
  for (const auto& [type, n] : m.elementCounts) {
    out << (first ? "" : ", ") << type << " " << n;
    first = false;
  }
  out << (first ? "none\n" : "\n");
  out << "address       ";
  if (m.address) {
    for (const auto& l : m.address->lines) out << l << ", ";
    out << m.address->postalCode << (m.address->postalCode.empty() ? "" : " ") << m.address->town
        << (m.address->region.empty() ? "" : ", " + m.address->region)
        << (m.address->country.empty() ? "" : ", " + m.address->country) << "\n";
  } else {
    out << "none\n";
  }
  const auto& g = m.georeference;
  out << "georeference  ";
  if (!g.any() && !g.hasTrueNorth) out << "none (placed by the anchor stored with the building)";
  if (!g.targetCrs.empty()) out << "CRS " << g.targetCrs << "; ";
  if (g.hasMapConversion) {
    out << "map conversion E " << num(g.eastings) << " N " << num(g.northings) << " H "
        << num(g.orthogonalHeight) << " scale " << num(g.scale) << "; ";
  }
  if (g.hasSiteReference) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "site %.7f, %.7f (lat, lon), elevation %s m; ", g.latitude,
                  g.longitude, num(g.elevation).c_str());
    out << buf;
  }
  if (g.hasTrueNorth) out << "true north " << num(g.trueNorthDegrees) << " deg";
  out << "\nbounds        ";
  if (m.bounds.empty()) {
    out << "none";
  } else {
    out << "(" << num(m.bounds.min.x) << ", " << num(m.bounds.min.y) << ", " << num(m.bounds.min.z)
        << ") .. (" << num(m.bounds.max.x) << ", " << num(m.bounds.max.y) << ", "
        << num(m.bounds.max.z) << ")";
  }
  out << "\ntriangles     " << m.triangleCount() << " in " << m.meshes.size() << " materials\n";
}

bool endsWith(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void addBimRoomsCommand(CLI::App& bim, int& exitCode);

void addBimCommand(CLI::App& app, int& exitCode) {
  auto* bim = app.add_subcommand("bim", "Building models: IFC, glTF, OBJ, CityJSON, CityGML");
  bim->require_subcommand(1);

  struct InfoOptions {
    std::string file;
    std::string format = "text";
  };
  auto info = std::make_shared<InfoOptions>();
  auto* infoCmd = bim->add_subcommand(
      "info", "Schema, storeys, spaces, element counts, address, georeference, bounds");
  infoCmd->add_option("file", info->file, "IFC, glTF/GLB, OBJ, CityJSON or CityGML file")
      ->required();
  infoCmd->add_option("--format", info->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  infoCmd->callback([info, &exitCode]() {
    auto model = bim::readModel(info->file);
    if (!model) {
      std::cerr << "gridtwin bim info: " << model.error().toString() << "\n";
      exitCode = 1;
      return;
    }
    if (info->format == "json") {
      printInfoJson(std::cout, *model);
    } else {
      printInfoText(std::cout, *model);
    }
    exitCode = 0;
  });

  struct ExportOptions {
    std::string file;
    std::string to;
  };
  auto ex = std::make_shared<ExportOptions>();
  auto* exportCmd =
      bim->add_subcommand("export", "Write a model's triangles as binary glTF (.glb) or OBJ");
  exportCmd->add_option("file", ex->file, "IFC, glTF/GLB, OBJ, CityJSON or CityGML file")
      ->required();
  exportCmd->add_option("--to", ex->to, "out.glb or out.obj (written whole or not at all)")
      ->required();
  exportCmd->callback([ex, &exitCode]() {
    const bool glb = endsWith(ex->to, ".glb");
    if (!glb && !endsWith(ex->to, ".obj")) {
      std::cerr << "gridtwin bim export: --to: '" << ex->to
                << "' must end in .glb (binary glTF) or .obj\n";
      exitCode = 2;
      return;
    }
    if (auto c = checkOutput(ex->to, {ex->file}, "--to"); !c) {
      std::cerr << "gridtwin bim export: " << c.error().toString() << "\n";
      exitCode = refusalExitCode(c.error());
      return;
    }
    auto model = bim::readModel(ex->file);
    if (!model) {
      std::cerr << "gridtwin bim export: " << model.error().toString() << "\n";
      exitCode = 1;
      return;
    }
    auto written = glb ? bim::writeGlb(*model, ex->to) : bim::writeObj(*model, ex->to);
    if (!written) {
      std::cerr << "gridtwin bim export: " << written.error().toString() << "\n";
      exitCode = 1;
      return;
    }
    std::cout << "wrote " << model->triangleCount() << " triangles in " << model->meshes.size()
              << " materials to " << ex->to << "\n";
    exitCode = 0;
  });

  addBimRoomsCommand(*bim, exitCode);
}

}  // namespace gridtwin::cli
