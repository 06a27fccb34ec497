#pragma once
// Building models (BIM): one value type, bim::Model, read from IFC2X3/IFC4
// (IFC++), glTF 2.0 (tinygltf), OBJ (ours), CityJSON (ours, over
// nlohmann-json) and CityGML (libcitygml). This module is the only place
// that includes those libraries (tests/arch).
//
// Coordinates are the model's own, in metres, z up: IFC's project
// coordinates after its length unit, glTF's y-up turned to z-up, CityJSON and
// CityGML in their CRS (Model::crs names it). Placing a model in the district
// is Anchor's job (anchor.h).
//
// Geometry is drawn-ready: one Mesh per Material (the viewer merges per model
// and material), triangles as index triples, and for each triangle the storey
// and space it belongs to (-1: none), so a pick gives the room.
//
// Thread-safety: readModel() is reentrant for distinct files (IFC++ keeps no
// global state that two readers share except carve's epsilon, which every
// IFC read sets to the same value); a Model is a plain value.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace gridtwin::bim {

struct Vec3 {
  double x = 0;
  double y = 0;
  double z = 0;
};

struct Box3 {
  Vec3 min{1e300, 1e300, 1e300};
  Vec3 max{-1e300, -1e300, -1e300};
  bool empty() const { return min.x > max.x; }
  void expand(const Vec3& p);
  void expand(const Box3& b);
};

enum class Format { kIfc, kGltf, kObj, kCityJson, kCityGml };
const char* formatName(Format format);  // "IFC", "glTF", "OBJ", "CityJSON", "CityGML"

struct Storey {
  std::string id;        // IFC GlobalId (or the source's own id)
  std::string name;      // "Erdgeschoss", "Level 1", "F3"
  double elevation = 0;  // metres, model coordinates
  bool hasElevation = false;
};

struct Space {
  std::string id;      // IFC GlobalId
  std::string number;  // IfcSpace.Name: the room number ("1", "A104", "0301")
  std::string name;    // IfcSpace.LongName: "Wohnen", "Office"
  int storey = -1;     // index into Model::storeys, -1 when not under a storey
  Box3 bounds;         // of the space's own triangles; empty without geometry
};

struct PostalAddress {
  std::vector<std::string> lines;
  std::string town;
  std::string region;
  std::string postalCode;
  std::string country;
  bool empty() const {
    return lines.empty() && town.empty() && region.empty() && postalCode.empty() && country.empty();
  }
};

// Where the model sits on the Earth, as far as the file says.
struct Georeference {
  // IfcMapConversion (IFC4): model (x,y,z) -> map (E,N,H).
  bool hasMapConversion = false;
  double eastings = 0;
  double northings = 0;
  double orthogonalHeight = 0;
  double xAxisAbscissa = 1;
  double xAxisOrdinate = 0;
  double scale = 1;
  std::string targetCrs;  // IfcProjectedCRS.Name ("EPSG:25832"), or a CityJSON/CityGML CRS
  // IfcSite reference point (degrees, WGS 84 by IFC's convention).
  bool hasSiteReference = false;
  double latitude = 0;
  double longitude = 0;
  double elevation = 0;
  // Angle from the model's +y axis to true north, degrees counter-clockwise.
  bool hasTrueNorth = false;
  double trueNorthDegrees = 0;
  bool any() const { return hasMapConversion || hasSiteReference || !targetCrs.empty(); }
};

struct Material {
  std::string name;  // "IfcWall", "IfcSpace", a glTF/OBJ material name
  std::array<float, 4> rgba{0.8f, 0.8f, 0.8f, 1.0f};
};

// The triangles of one material.
struct Mesh {
  int material = 0;                          // index into Model::materials
  std::vector<float> positions;              // x,y,z per vertex (model coordinates, metres)
  std::vector<std::uint32_t> indices;        // three per triangle
  std::vector<std::int32_t> triangleStorey;  // per triangle: Model::storeys index or -1
  std::vector<std::int32_t> triangleSpace;   // per triangle: Model::spaces index or -1
  std::size_t triangleCount() const { return indices.size() / 3; }
};

// A city object of CityJSON/CityGML (buildings only are counted as such).
struct CityObject {
  std::string id;
  std::string type;  // "Building", "BuildingPart", "Road", ...
};

struct Model {
  std::string path;  // as given to readModel
  Format format = Format::kIfc;
  std::string schema;  // "IFC4", "IFC2X3", "glTF 2.0", "CityJSON 2.0", "CityGML 2.0", "OBJ"
  std::string name;    // IfcBuilding.Name, the glTF scene, the CityGML model's name
  std::vector<Storey> storeys;
  std::vector<Space> spaces;
  std::map<std::string, std::size_t> elementCounts;  // "IfcWall" -> 12, "Building" -> 160
  std::vector<CityObject> cityObjects;               // CityJSON/CityGML
  std::optional<PostalAddress> address;
  Georeference georeference;
  std::vector<Material> materials;
  std::vector<Mesh> meshes;  // one per material that has triangles
  Box3 bounds;               // of every triangle (and vertex for CityJSON/CityGML)
  std::size_t triangleCount() const;
  // Buildings among the city objects ("Building" only, parts not counted).
  std::size_t buildingCount() const;
};

struct ReadOptions {
  // False: structure only (storeys, spaces, counts, address, georeference);
  // no triangles, no bounds from geometry. `bim info` needs geometry for the
  // bounding box; linking needs it for the spaces' positions.
  bool geometry = true;
  // Coordinates whose magnitude exceeds this (metres) are refused as absurd
  // (a unit slip, a corrupt file): the error names the file and the value.
  double maxCoordinate = 1.0e7;
};

// Reads a model, the format chosen by the file's content (an IFC STEP
// header, glTF's magic or JSON with "asset", CityJSON's "type", CityGML's XML)
// and then its extension. Errors name the file and what is wrong: a missing
// or empty file (kIo/kEmptyInput), not a model (kUnsupported), a truncated or
// broken file (kParse/kUnexpectedEnd), a missing glTF buffer (kNotFound),
// absurd coordinates (kOutOfDomain).
core::Result<Model> readModel(const std::string& path, const ReadOptions& options = {});

// Format of `path` by content then extension; kUnsupported when neither says.
core::Result<Format> detectFormat(const std::string& path);

// Writers (export), both through core::OutputFile (all or nothing):
// binary glTF 2.0 (.glb: one mesh and node per material, y up as glTF wants,
// the storey and space of each triangle in the mesh's extras) and Wavefront
// OBJ (z up as the model, one group per material with `usemtl` NAME; no .mtl).
core::Result<void> writeGlb(const Model& model, const std::string& path);
core::Result<void> writeObj(const Model& model, const std::string& path);

// Parses OBJ / CityJSON text (the fuzz targets call these; readModel too).
// `name` is how errors name the input.
core::Result<Model> parseObj(const std::string& text, const std::string& name,
                             const ReadOptions& options = {});
core::Result<Model> parseCityJson(const std::string& text, const std::string& name,
                                  const ReadOptions& options = {});

}  // namespace gridtwin::bim
