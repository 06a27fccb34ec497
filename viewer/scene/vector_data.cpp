#include "scene/vector_data.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <span>

#include "crs/transformer.h"
#include "store/vector_file.h"

namespace gridtwin::scene {
namespace {

using core::ErrorCode;
using core::makeError;

bool endsWithNoCase(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) {
      return false;
    }
  }
  return true;
}

// ISO WKB (what VectorFeature::wkb writes: little-endian, 2D) of any
// geometry, split into points, lines and polygons. Depth-limited so a
// hostile collection cannot recurse without end.
class WkbReader {
 public:
  WkbReader(std::span<const std::uint8_t> bytes, VectorData& out) : m_b(bytes), m_out(out) {}

  core::Result<void> read(int depth = 0) {
    if (depth > 8) return fail("geometry collections nested too deep");
    std::uint8_t order = 0;
    std::uint32_t type = 0;
    if (!byte(order) || !u32(order, type)) return fail("truncated geometry");
    const std::uint32_t base = type % 1000;  // ISO Z/M/ZM add 1000s; 2D here
    switch (base) {
      case 1: {
        geo::Point p;
        if (!point(order, p)) return fail("truncated point");
        if (p.x == p.x) m_out.points.push_back(p);  // POINT EMPTY is NaN
        return {};
      }
      case 2: {
        geo::LineString line;
        GRIDTWIN_TRY(points(order, line));
        if (line.size() >= 2) m_out.lines.push_back(std::move(line));
        return {};
      }
      case 3: {
        std::uint32_t rings = 0;
        if (!u32(order, rings)) return fail("truncated polygon");
        if (rings > m_b.size()) return fail("a ring count beyond the geometry's bytes");
        geo::Polygon polygon;
        for (std::uint32_t r = 0; r < rings; ++r) {
          geo::Ring ring;
          GRIDTWIN_TRY(points(order, ring));
          if (ring.size() < 4) continue;
          if (r == 0) {
            polygon.outer = std::move(ring);
          } else {
            polygon.holes.push_back(std::move(ring));
          }
        }
        if (!polygon.outer.empty()) m_out.polygons.push_back(std::move(polygon));
        return {};
      }
      case 4:
      case 5:
      case 6:
      case 7: {
        std::uint32_t parts = 0;
        if (!u32(order, parts)) return fail("truncated collection");
        if (parts > m_b.size()) return fail("a part count beyond the geometry's bytes");
        for (std::uint32_t i = 0; i < parts; ++i) GRIDTWIN_TRY(read(depth + 1));
        return {};
      }
      default:
        return fail("unsupported geometry type " + std::to_string(type) +
                    " (points, lines, polygons and their multi forms are drawn)");
    }
  }

 private:
  core::Error fail(const std::string& what) const {
    return makeError(ErrorCode::kGeometry, what + " at byte " + std::to_string(m_at));
  }
  bool byte(std::uint8_t& v) {
    if (m_at + 1 > m_b.size()) return false;
    v = m_b[m_at++];
    return true;
  }
  bool u32(std::uint8_t order, std::uint32_t& v) {
    if (m_at + 4 > m_b.size()) return false;
    std::uint8_t b[4];
    std::memcpy(b, m_b.data() + m_at, 4);
    if (order == 0) std::reverse(b, b + 4);
    std::memcpy(&v, b, 4);
    m_at += 4;
    return true;
  }
  bool f64(std::uint8_t order, double& v) {
    if (m_at + 8 > m_b.size()) return false;
    std::uint8_t b[8];
    std::memcpy(b, m_b.data() + m_at, 8);
    if (order == 0) std::reverse(b, b + 8);
    std::memcpy(&v, b, 8);
    m_at += 8;
    return true;
  }
  bool point(std::uint8_t order, geo::Point& p) { return f64(order, p.x) && f64(order, p.y); }
  core::Result<void> points(std::uint8_t order, std::vector<geo::Point>& out) {
    std::uint32_t n = 0;
    if (!u32(order, n)) return fail("truncated point count");
    if (static_cast<std::size_t>(n) * 16 > m_b.size() - m_at) {
      return fail("a point count beyond the geometry's bytes");
    }
    out.resize(n);
    for (auto& p : out) point(order, p);
    return {};
  }

  std::span<const std::uint8_t> m_b;
  std::size_t m_at = 0;
  VectorData& m_out;
};

core::Result<crs::Crs> layerCrs(const store::VectorLayer& layer,
                                const std::optional<crs::Crs>& stated) {
  if (stated) return *stated;
  const auto c = layer.crs();
  if (!c) {
    return makeError(ErrorCode::kUnknownCrs,
                     "the layer states no CRS; give one (FILE@EPSG:4326, FILE@GCJ02, FILE@BD09, "
                     "or the CRS box of Add layer)");
  }
  if (c->epsg <= 0) {
    return makeError(ErrorCode::kUnknownCrs,
                     "the layer's CRS " +
                         (c->authority.empty() ? "(unnamed)" : c->authority + ":" + c->code) +
                         " has no EPSG code; give one (FILE@EPSG:NNNN)");
  }
  return crs::Crs::fromEpsg(c->epsg);
}

// Reads one layer: its features' geometry, reprojected to EPSG:4547.
core::Result<VectorData> readLayer(const store::VectorLayer& layer,
                                   const std::optional<crs::Crs>& stated, std::string& crsName) {
  auto from = layerCrs(layer, stated);
  if (!from) return from.takeError();
  crsName = crs::name(*from);
  auto t = crs::Transformer::create(*from, crs::kGaussKruger114);
  if (!t) return t.takeError();
  VectorData data;
  std::vector<std::uint8_t> wkb;
  const int refField = layer.fieldIndex("ref");
  auto r = layer.forEachFeature([&](const store::VectorFeature& f) -> core::Result<void> {
    if (!f.hasGeometry() || !f.wkb(wkb)) return {};
    VectorData one;
    const std::string where = "feature " + std::to_string(f.fid());
    if (auto w = WkbReader(wkb, one).read(); !w) return w.takeError().withContext(where);
    auto move = [&](std::span<geo::Point> pts) -> core::Result<void> {
      if (auto m = t->transform(pts); !m) {
        return m.takeError().withContext(where + " (coordinates read as " + crsName + ")");
      }
      return {};
    };
    GRIDTWIN_TRY(move(one.points));
    for (auto& l : one.lines) GRIDTWIN_TRY(move(l));
    for (auto& p : one.polygons) {
      GRIDTWIN_TRY(move(p.outer));
      for (auto& h : p.holes) GRIDTWIN_TRY(move(h));
    }
    data.points.insert(data.points.end(), one.points.begin(), one.points.end());
    std::move(one.lines.begin(), one.lines.end(), std::back_inserter(data.lines));
    if (refField >= 0) {
      data.polygonRef.resize(data.polygons.size());
      data.polygonRef.insert(data.polygonRef.end(), one.polygons.size(),
                             f.isNull(refField) ? std::string() : std::string(f.text(refField)));
    }
    std::move(one.polygons.begin(), one.polygons.end(), std::back_inserter(data.polygons));
    ++data.features;
    return {};
  });
  if (!r) return r.takeError();
  return data;
}

core::Result<store::VectorFile> openFile(const std::string& path) {
  // A district in PostGIS: its ingested tables and views (lyr_* included).
  if (path.rfind("postgresql://", 0) == 0 || path.rfind("postgres://", 0) == 0) {
    return store::VectorFile::openPostgis(path, "gridtwin");
  }
  // A CSV becomes points through its coordinate columns (or a WKT column,
  // which GDAL finds by itself).
  std::vector<std::string> options;
  if (endsWithNoCase(path, ".csv")) {
    options = {"X_POSSIBLE_NAMES=x,lon,lng,long,longitude,经度",
               "Y_POSSIBLE_NAMES=y,lat,latitude,纬度", "KEEP_GEOM_COLUMNS=NO"};
  }
  return store::VectorFile::open(path, options);
}

}  // namespace

core::Result<LayerArgument> parseLayerArgument(std::string_view text) {
  LayerArgument a;
  const auto at = text.rfind('@');
  if (at != std::string_view::npos && at > 0) {
    auto c = crs::parseCrs(text.substr(at + 1));
    if (c) {
      a.path = std::string(text.substr(0, at));
      a.crs = *c;
      return a;
    }
    // FILE@something that is not a CRS: a path with '@' in it, unless no
    // such file exists, when the CRS is the likelier mistake.
    const std::string whole(text);
    if (std::FILE* f = std::fopen(whole.c_str(), "rb")) {
      std::fclose(f);
    } else {
      return c.takeError().withContext(std::string(text.substr(0, at)));
    }
  }
  a.path = std::string(text);
  if (a.path.empty()) return makeError(ErrorCode::kInvalidArgument, "an empty layer file name");
  return a;
}

core::Result<std::vector<VectorLayerData>> readVectorFile(const std::string& path,
                                                          std::optional<crs::Crs> crs) {
  auto file = openFile(path);
  if (!file) return file.takeError();
  std::vector<VectorLayerData> out;
  for (int i = 0; i < file->layerCount(); ++i) {
    const store::VectorLayer layer = file->layer(i);
    if (!layer.hasGeometry()) continue;
    VectorLayerData d;
    d.name = layer.name();
    auto data = readLayer(layer, crs, d.crsName);
    if (!data) return data.takeError().withContext(path + ": layer " + d.name);
    d.data = std::move(*data);
    out.push_back(std::move(d));
  }
  if (out.empty()) {
    return makeError(ErrorCode::kEmptyInput, "no layer with a geometry in it", path);
  }
  return out;
}

core::Result<VectorData> readVectorLayer(const std::string& path, const std::string& name,
                                         std::optional<crs::Crs> crs) {
  return std::move(readVectorLayers(path, {name}, crs).front());
}

std::vector<core::Result<VectorData>> readVectorLayers(const std::string& path,
                                                       const std::vector<std::string>& names,
                                                       std::optional<crs::Crs> crs) {
  std::vector<core::Result<VectorData>> out;
  auto file = openFile(path);
  for (const auto& name : names) {
    if (!file) {
      out.push_back(core::Error(file.error()));
      continue;
    }
    const auto layer = file->layer(name);
    if (!layer) {
      out.push_back(makeError(ErrorCode::kNotFound, "no layer (table) " + name + " in it", path));
      continue;
    }
    std::string crsName;
    auto data = readLayer(*layer, crs, crsName);
    if (!data) {
      out.push_back(data.takeError().withContext(path + ": layer " + name));
    } else {
      out.push_back(std::move(*data));
    }
  }
  return out;
}

}  // namespace gridtwin::scene
