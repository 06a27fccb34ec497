#include "bim/ifc_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "bim/detail.h"

namespace gridtwin::bim {

namespace {

std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// STEP string: ASCII as is (quotes and backslashes doubled), the rest as
// \X2\hhhh\X0\ (UTF-16).
std::string stepString(const std::string& s) {
  std::string out = "'";
  std::size_t i = 0;
  std::string wide;
  auto flush = [&]() {
    if (!wide.empty()) {
      out += "\\X2\\" + wide + "\\X0\\";
      wide.clear();
    }
  };
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      flush();
      if (c == '\'')
        out += "''";
      else if (c == '\\')
        out += "\\\\";
      else if (c >= 0x20)
        out += static_cast<char>(c);
      ++i;
      continue;
    }
    std::uint32_t cp = 0;
    int n = 0;
    if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      n = 1;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      n = 2;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07;
      n = 3;
    } else {
      ++i;
      continue;
    }
    if (i + static_cast<std::size_t>(n) >= s.size()) break;  // a cut sequence at the end
    for (int k = 1; k <= n; ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3F);
    }
    i += static_cast<std::size_t>(n) + 1;
    char buf[16];
    if (cp >= 0x10000) {
      cp -= 0x10000;
      std::snprintf(buf, sizeof buf, "%04X%04X", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
    } else {
      std::snprintf(buf, sizeof buf, "%04X", cp);
    }
    wide += buf;
  }
  flush();
  return out + "'";
}

std::string real(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  std::string s = buf;
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (s == "-0.") s = "0.";
  return s;
}

class Step {
 public:
  explicit Step(std::uint64_t seed) : m_seed(seed) {}
  int add(const std::string& entity) {
    m_body << '#' << ++m_next << '=' << entity << ";\n";
    return m_next;
  }
  std::string ref(int id) const { return "#" + std::to_string(id); }
  std::string guid() {
    static const char kChars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_$";
    std::uint64_t a = splitmix(m_seed), b = splitmix(m_seed);
    std::string g = "'";
    g += kChars[a & 3];
    a >>= 2;
    for (int i = 1; i < 22; ++i) {
      std::uint64_t& src = i < 11 ? a : b;
      g += kChars[src & 63];
      src >>= 6;
    }
    return g + "'";
  }
  int point(double x, double y, double z) {
    return add("IFCCARTESIANPOINT((" + real(x) + "," + real(y) + "," + real(z) + "))");
  }
  int point2(double x, double y) {
    return add("IFCCARTESIANPOINT((" + real(x) + "," + real(y) + "))");
  }
  int direction(double x, double y, double z) {
    return add("IFCDIRECTION((" + real(x) + "," + real(y) + "," + real(z) + "))");
  }
  std::string body() const { return m_body.str(); }

 private:
  std::ostringstream m_body;
  int m_next = 0;
  std::uint64_t m_seed;
};

}  // namespace

std::string spaceNumber(const RoomSpec& room, bool multiUnit) {
  return multiUnit ? std::to_string(room.unit) + "-" + std::to_string(room.room)
                   : std::to_string(room.room);
}

std::string writeIfc(const BuildingSpec& b) {
  Step s(0x6D6F64656CULL ^ static_cast<std::uint64_t>(b.id) * 0x100000001B3ULL);
  const std::string oh = "#5";
  s.add("IFCPERSON($,'gridtwin',$,$,$,$,$,$)");
  s.add("IFCORGANIZATION($,'gridtwin',$,$,$)");
  s.add("IFCPERSONANDORGANIZATION(#1,#2,$)");
  s.add("IFCAPPLICATION(#2,'0.1','gridtwin generate','gridtwin')");
  s.add("IFCOWNERHISTORY(#3,#4,$,.NOCHANGE.,$,$,$,0)");
  const int m = s.add("IFCSIUNIT(*,.LENGTHUNIT.,$,.METRE.)");
  const int a2 = s.add("IFCSIUNIT(*,.AREAUNIT.,$,.SQUARE_METRE.)");
  const int v3 = s.add("IFCSIUNIT(*,.VOLUMEUNIT.,$,.CUBIC_METRE.)");
  const int rad = s.add("IFCSIUNIT(*,.PLANEANGLEUNIT.,$,.RADIAN.)");
  const int units = s.add("IFCUNITASSIGNMENT((" + s.ref(m) + "," + s.ref(a2) + "," + s.ref(v3) +
                          "," + s.ref(rad) + "))");
  const int origin = s.point(0, 0, 0);
  const int zAxis = s.direction(0, 0, 1);
  const int xAxis = s.direction(1, 0, 0);
  const int world =
      s.add("IFCAXIS2PLACEMENT3D(" + s.ref(origin) + "," + s.ref(zAxis) + "," + s.ref(xAxis) + ")");
  const int north = s.add("IFCDIRECTION((0.,1.))");
  const int ctx = s.add("IFCGEOMETRICREPRESENTATIONCONTEXT($,'Model',3,1.E-05," + s.ref(world) +
                        "," + s.ref(north) + ")");
  const int body = s.add("IFCGEOMETRICREPRESENTATIONSUBCONTEXT('Body','Model',*,*,*,*," +
                         s.ref(ctx) + ",$,.MODEL_VIEW.,$)");
  const int project = s.add("IFCPROJECT(" + s.guid() + "," + oh + "," + stepString(b.name) +
                            ",$,$,$,$,(" + s.ref(ctx) + ")," + s.ref(units) + ")");
  const int sitePl = s.add("IFCLOCALPLACEMENT($," + s.ref(world) + ")");
  auto angle = [](double deg) {
    const double a = std::fabs(deg);
    const int d = static_cast<int>(a);
    const int mi = static_cast<int>((a - d) * 60);
    const double sec = ((a - d) * 60 - mi) * 60;
    const int se = static_cast<int>(sec);
    const int micro = static_cast<int>(std::round((sec - se) * 1e6));
    const int sign = deg < 0 ? -1 : 1;
    return "(" + std::to_string(sign * d) + "," + std::to_string(sign * mi) + "," +
           std::to_string(sign * se) + "," + std::to_string(sign * micro) + ")";
  };
  const int site =
      s.add("IFCSITE(" + s.guid() + "," + oh + ",'Site',$,$," + s.ref(sitePl) + ",$,$,.ELEMENT.," +
            angle(b.latitude) + "," + angle(b.longitude) + ",0.,$,$)");
  std::string lines;
  for (const auto& l : b.address.lines) lines += (lines.empty() ? "" : ",") + stepString(l);
  const int addr =
      s.add("IFCPOSTALADDRESS($,$,$,$,(" + (lines.empty() ? stepString("") : lines) + "),$," +
            stepString(b.address.town) + "," + stepString(b.address.region) + "," +
            stepString(b.address.postalCode) + "," + stepString(b.address.country) + ")");
  const int bldgPl = s.add("IFCLOCALPLACEMENT(" + s.ref(sitePl) + "," + s.ref(world) + ")");
  const int building = s.add("IFCBUILDING(" + s.guid() + "," + oh + "," + stepString(b.name) +
                             ",$,$," + s.ref(bldgPl) + ",$,$,.ELEMENT.,$,$," + s.ref(addr) + ")");
  s.add("IFCRELAGGREGATES(" + s.guid() + "," + oh + ",$,$," + s.ref(project) + ",(" + s.ref(site) +
        "))");
  s.add("IFCRELAGGREGATES(" + s.guid() + "," + oh + ",$,$," + s.ref(site) + ",(" + s.ref(building) +
        "))");

  // A box (rectangle profile) at (cx, cy, z), rotated by `dir` in plan, as a
  // product's shape.
  auto box = [&](double cx, double cy, double z, double dx, double dy, double len, double wid,
                 double height) {
    const int c = s.point(cx, cy, z);
    const int d = s.direction(dx, dy, 0);
    const int pos =
        s.add("IFCAXIS2PLACEMENT3D(" + s.ref(c) + "," + s.ref(zAxis) + "," + s.ref(d) + ")");
    const int p2 = s.point2(0, 0);
    const int pos2 = s.add("IFCAXIS2PLACEMENT2D(" + s.ref(p2) + ",$)");
    const int prof = s.add("IFCRECTANGLEPROFILEDEF(.AREA.,$," + s.ref(pos2) + "," + real(len) +
                           "," + real(wid) + ")");
    const int solid = s.add("IFCEXTRUDEDAREASOLID(" + s.ref(prof) + "," + s.ref(pos) + "," +
                            s.ref(zAxis) + "," + real(height) + ")");
    const int rep = s.add("IFCSHAPEREPRESENTATION(" + s.ref(body) + ",'Body','SweptSolid',(" +
                          s.ref(solid) + "))");
    return s.add("IFCPRODUCTDEFINITIONSHAPE($,$,(" + s.ref(rep) + "))");
  };
  // The footprint as a slab profile at z.
  auto slabShape = [&](double z, double thickness) {
    std::string pts;
    std::vector<Vec3> ring = b.footprint;
    if (ring.size() > 1 && ring.front().x == ring.back().x && ring.front().y == ring.back().y) {
      ring.pop_back();
    }
    for (const auto& p : ring) pts += s.ref(s.point2(p.x, p.y)) + ",";
    pts += s.ref(s.point2(ring.front().x, ring.front().y));
    const int poly = s.add("IFCPOLYLINE((" + pts + "))");
    const int prof = s.add("IFCARBITRARYCLOSEDPROFILEDEF(.AREA.,$," + s.ref(poly) + ")");
    const int c = s.point(0, 0, z);
    const int pos =
        s.add("IFCAXIS2PLACEMENT3D(" + s.ref(c) + "," + s.ref(zAxis) + "," + s.ref(xAxis) + ")");
    const int solid = s.add("IFCEXTRUDEDAREASOLID(" + s.ref(prof) + "," + s.ref(pos) + "," +
                            s.ref(zAxis) + "," + real(thickness) + ")");
    const int rep = s.add("IFCSHAPEREPRESENTATION(" + s.ref(body) + ",'Body','SweptSolid',(" +
                          s.ref(solid) + "))");
    return s.add("IFCPRODUCTDEFINITIONSHAPE($,$,(" + s.ref(rep) + "))");
  };

  Box3 fb;
  for (const auto& p : b.footprint) fb.expand(p);
  const double wall = 0.2;
  std::map<int, std::vector<const RoomSpec*>> roomsOnFloor;
  for (const auto& r : b.rooms) roomsOnFloor[r.floor].push_back(&r);
  std::string storeyRefs;
  for (int f = 1; f <= b.floors; ++f) {
    const double z = (f - 1) * b.storeyHeight;
    const int stPl = s.add("IFCLOCALPLACEMENT(" + s.ref(bldgPl) + "," + s.ref(world) + ")");
    const int storey = s.add("IFCBUILDINGSTOREY(" + s.guid() + "," + oh + "," +
                             stepString("F" + std::to_string(f)) + ",$,$," + s.ref(stPl) + ",$," +
                             stepString(std::to_string(f) + "层") + ",.ELEMENT.," + real(z) + ")");
    storeyRefs += (storeyRefs.empty() ? "" : ",") + s.ref(storey);
    std::string contained;
    auto element = [&](const std::string& head, const std::string& name, int shape,
                       const std::string& tail) {
      const int pl = s.add("IFCLOCALPLACEMENT(" + s.ref(stPl) + "," + s.ref(world) + ")");
      const int e = s.add(head + "(" + s.guid() + "," + oh + "," + stepString(name) + ",$,$," +
                          s.ref(pl) + "," + s.ref(shape) + ",$" + tail + ")");
      contained += (contained.empty() ? "" : ",") + s.ref(e);
      return e;
    };
    element("IFCSLAB", "Slab F" + std::to_string(f), slabShape(z, wall), ",.FLOOR.");
    // Walls along each footprint edge.
    for (std::size_t i = 0; i + 1 < b.footprint.size(); ++i) {
      const Vec3& p = b.footprint[i];
      const Vec3& q = b.footprint[i + 1];
      const double len = std::hypot(q.x - p.x, q.y - p.y);
      if (len < 0.05) continue;
      const double dx = (q.x - p.x) / len, dy = (q.y - p.y) / len;
      // Inward of a counter-clockwise ring is to the left.
      const double cx = (p.x + q.x) / 2 - dy * wall / 2, cy = (p.y + q.y) / 2 + dx * wall / 2;
      element("IFCWALL", "Wall", box(cx, cy, z + wall, dx, dy, len, wall, b.storeyHeight - wall),
              ",.STANDARD.");
    }
    // Spaces: the floor's rooms side by side along x inside the walls; one
    // window per room in the south wall.
    const auto& rooms = roomsOnFloor[f];
    std::string spaceRefs;
    const double x0 = fb.min.x + wall, x1 = fb.max.x - wall;
    const double y0 = fb.min.y + wall, y1 = fb.max.y - wall;
    const double cell = rooms.empty() ? 0 : (x1 - x0) / static_cast<double>(rooms.size());
    for (std::size_t k = 0; k < rooms.size(); ++k) {
      const RoomSpec& r = *rooms[k];
      const double cx = x0 + cell * (static_cast<double>(k) + 0.5), cy = (y0 + y1) / 2;
      const int shape =
          box(cx, cy, z + wall, 1, 0, std::max(0.1, cell - 0.1), y1 - y0, b.storeyHeight - wall);
      const int pl = s.add("IFCLOCALPLACEMENT(" + s.ref(stPl) + "," + s.ref(world) + ")");
      const int sp =
          s.add("IFCSPACE(" + s.guid() + "," + oh + "," + stepString(spaceNumber(r, b.multiUnit)) +
                ",$,$," + s.ref(pl) + "," + s.ref(shape) + "," + stepString(r.addressCode) +
                ",.ELEMENT.,.INTERNAL.,$)");
      spaceRefs += (spaceRefs.empty() ? "" : ",") + s.ref(sp);
      const double ww = std::min(1.2, cell * 0.6);
      if (ww > 0.2) {
        element("IFCWINDOW", "Window " + spaceNumber(r, b.multiUnit),
                box(cx, fb.min.y + wall / 2, z + 1.0, 1, 0, ww, wall * 1.2, 1.4),
                ",1.4," + real(ww) + ",.WINDOW.,.SINGLE_PANEL.,$");
      }
    }
    if (!spaceRefs.empty()) {
      s.add("IFCRELAGGREGATES(" + s.guid() + "," + oh + ",$,$," + s.ref(storey) + ",(" + spaceRefs +
            "))");
    }
    s.add("IFCRELCONTAINEDINSPATIALSTRUCTURE(" + s.guid() + "," + oh + ",$,$,(" + contained + ")," +
          s.ref(storey) + ")");
  }
  s.add("IFCRELAGGREGATES(" + s.guid() + "," + oh + ",$,$," + s.ref(building) + ",(" + storeyRefs +
        "))");

  std::ostringstream out;
  out << "ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('ViewDefinition "
         "[DesignTransferView]'),'2;1');\n"
      << "FILE_NAME(" << stepString("building_" + std::to_string(b.id) + ".ifc")
      << ",'2026-12-01T00:00:00',('gridtwin'),('gridtwin'),'gridtwin generate','gridtwin','');\n"
      << "FILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\n"
      << s.body() << "ENDSEC;\nEND-ISO-10303-21;\n";
  return out.str();
}

core::Result<Model> parseIfc(std::string text, const std::string& name,
                             const ReadOptions& options) {
  if (text.empty()) return core::makeError(core::ErrorCode::kEmptyInput, "empty IFC text", name);
  return detail::readIfc(name, std::move(text), options);
}

}  // namespace gridtwin::bim
