#include "boundary/report.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "boundary/source.h"
#include "geo/geos_ops.h"
#include "query/query.h"
#include "query/records.h"
#include "query/stats.h"

namespace gridtwin::boundary {

namespace {

constexpr std::array<std::string_view, model::kPersonTagCount> kTagLabels = {
    "80岁以上老人 elderly 80+", "独居老人 living alone", "适龄儿童 school age",
    "新生儿 newborn",           "残疾人 disabled",       "低保 low income",
    "退役军人 veteran",         "流动人口 migrant",      "重点人员 key person"};
constexpr std::array<std::string_view, 3> kColourLabels = {"绿 green", "黄 yellow", "红 red"};

std::string number(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  // Thousands separators on the integer part.
  const std::string s = buf;
  const std::size_t dot = s.find('.');
  const std::size_t end = dot == std::string::npos ? s.size() : dot;
  const std::size_t start = s[0] == '-' ? 1 : 0;
  std::string out(s, 0, start);
  for (std::size_t i = start; i < end; ++i) {
    out.push_back(s[i]);
    const std::size_t left = end - i - 1;
    if (left > 0 && left % 3 == 0) out.push_back(',');
  }
  out.append(s, end, std::string::npos);
  return out;
}

std::string number(std::uint64_t v) { return number(static_cast<double>(v), 0); }

std::vector<Count> nonZeroByCount(const std::vector<std::uint64_t>& counts,
                                  const model::Strings& names) {
  std::vector<Count> out;
  for (std::size_t i = 0; i < counts.size() && i < names.size(); ++i) {
    if (counts[i] > 0) out.push_back({std::string(names[i]), counts[i]});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Count& a, const Count& b) { return a.n > b.n; });
  return out;
}

std::string html(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string codesText(const std::vector<std::string>& codes) {
  std::string s;
  for (const auto& c : codes) s += (s.empty() ? "" : ", ") + c;
  return s;
}

std::string measureText(const Finding& f) {
  if (f.unit.empty()) return "";
  return number(f.measure, f.unit == "m" ? 2 : 1) + (f.unit == "m2" ? " m²" : " m");
}

std::string placeText(const Finding& f) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.7f, %.7f", f.lonlat.x, f.lonlat.y);
  return buf;
}

// A table as rows of cells; the first row is the header.
using Table = std::vector<std::vector<std::string>>;

struct Section {
  std::string title;
  std::string note;  // a line above the table
  Table table;
};

constexpr std::string_view kMapKey =
    "图例 Key: blue = this grid (its code's last digits), grey = neighbours, teal dots = "
    "facilities, orange dots = open events, red = boundary findings.";

bool isOwnership(FindingKind k) {
  return k == FindingKind::kBuildingCut || k == FindingKind::kUnassigned ||
         k == FindingKind::kDoubleAssigned || k == FindingKind::kGridMismatch;
}

std::vector<Section> sections(const GridReport& r) {
  std::vector<Section> out;
  out.push_back({"形状 Shape",
                 "",
                 {{"面积 Area", "周长 Perimeter", "邻接网格 Neighbours"},
                  {number(r.areaM2, 0) + " m² (" + number(r.areaM2 / 1e6, 3) + " km²)",
                   number(r.perimeterM, 0) + " m", std::to_string(r.neighbours.size())}}});
  Section nb{"邻接网格 Neighbours", "", {{"网格 Grid", "名称 Name", "共边 Shared edge"}}};
  for (const auto& x : r.neighbours) {
    nb.table.push_back({x.code, x.name, number(x.sharedEdgeM, 1) + " m"});
  }
  out.push_back(std::move(nb));
  Section rec{"登记 Registers", "", {{"类别 Register", "数量 Count"}}};
  for (const auto& c : r.records) rec.table.push_back({c.label, number(c.n)});
  out.push_back(std::move(rec));
  Section tags{"人口标签 People by tag", "", {{"标签 Tag", "人数 People"}}};
  for (const auto& c : r.peopleByTag) tags.table.push_back({c.label, number(c.n)});
  out.push_back(std::move(tags));
  Section col{"法人信用 Entities by credit colour", "", {{"信用 Colour", "数量 Entities"}}};
  for (const auto& c : r.entitiesByColour) col.table.push_back({c.label, number(c.n)});
  out.push_back(std::move(col));
  Section fac{"设施 Facilities by type",
              "无主部件 Ownerless: " + number(r.ownerlessFacilities),
              {{"类型 Type", "数量 Count"}}};
  for (const auto& c : r.facilitiesByType) fac.table.push_back({c.label, number(c.n)});
  out.push_back(std::move(fac));
  Section st{"事件状态 Events by status (近30天 last 30 days)",
             r.eventWindow,
             {{"状态 Status", "数量 Events"}}};
  for (const auto& c : r.eventsByStatus) st.table.push_back({c.label, number(c.n)});
  out.push_back(std::move(st));
  Section cat{
      "事件类别 Events by category (近30天 last 30 days)", "", {{"类别 Category", "数量 Events"}}};
  for (const auto& c : r.eventsByCategory) cat.table.push_back({c.label, number(c.n)});
  out.push_back(std::move(cat));
  const Table::value_type findingHeader = {"类型 Kind", "网格 Codes", "位置 Place (lon, lat)",
                                           "量 Measure", "说明 Detail"};
  std::vector<const Finding*> coverage, records;
  for (const auto& f : r.findings) (isOwnership(f.kind) ? records : coverage).push_back(&f);
  Section fin{"边界问题 Boundary findings",
              coverage.empty() ? "无 None: the grid's boundary agrees with its neighbours, its "
                                 "community and the district."
                               : "",
              {findingHeader}};
  for (const Finding* f : coverage) {
    fin.table.push_back({std::string(name(f->kind)), codesText(f->codes), placeText(*f),
                         measureText(*f), f->detail});
  }
  out.push_back(std::move(fin));
  // Records against the boundary: counted by kind, the first ones listed.
  constexpr std::size_t kListed = 30;
  std::string counts;
  for (FindingKind k : {FindingKind::kBuildingCut, FindingKind::kUnassigned,
                        FindingKind::kDoubleAssigned, FindingKind::kGridMismatch}) {
    const auto n = std::count_if(records.begin(), records.end(),
                                 [k](const Finding* f) { return f->kind == k; });
    if (n > 0)
      counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " " + std::string(name(k));
  }
  Section own{"记录归属 Records against the boundary",
              records.empty() ? "无 None: every record's place agrees with its grid."
                              : counts + (records.size() > kListed
                                              ? " (the first " + std::to_string(kListed) + " below)"
                                              : std::string()),
              {findingHeader}};
  for (std::size_t i = 0; i < records.size() && i < kListed; ++i) {
    const Finding* f = records[i];
    own.table.push_back({std::string(name(f->kind)), codesText(f->codes), placeText(*f),
                         measureText(*f), f->detail});
  }
  out.push_back(std::move(own));
  return out;
}

std::string headLine(const GridReport& r) {
  std::string s = r.streetName + " / " + r.communityName +
                  " · 网格站长 station head: " + (r.stationHead.empty() ? "—" : r.stationHead);
  if (!r.stationHeadPhone.empty()) s += " (" + r.stationHeadPhone + ")";
  s += " · 网格员 " + std::to_string(r.workers) + " grid workers";
  return s;
}

}  // namespace

core::Result<ReportBook> ReportBook::make(const query::Twin& twin, std::vector<Finding> findings) {
  ReportBook book;
  book.m_twin = &twin;
  book.m_findings = std::move(findings);
  const auto& grids = twin.district().grids();
  const std::size_t n = grids.size();
  std::vector<geo::GeomPtr> shapes, rims;
  std::vector<geo::Box> boxes;
  for (std::size_t g = 0; g < n; ++g) {
    book.m_index.emplace(std::string(grids.code[g]), static_cast<std::uint32_t>(g));
    const geo::MultiPolygon mp = model::xyShape(grids.shape, g);
    auto geom = geo::toGeos(mp);
    if (!geom)
      return core::Error(geom.takeError()).withContext("grid " + std::string(grids.code[g]));
    book.m_area.push_back(geo::area(geom->get()));
    book.m_perimeter.push_back(geo::length(geom->get()));
    auto rim = geo::boundaryOf(geom->get(), "grid boundary");
    rims.push_back(rim ? std::move(*rim) : geo::GeomPtr());
    boxes.push_back(geo::bbox(mp));
    shapes.push_back(std::move(*geom));
  }
  book.m_neighbours.resize(n);
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = a + 1; b < n; ++b) {
      const geo::Box& x = boxes[a];
      const geo::Box& y = boxes[b];
      if (y.minx > x.maxx + 0.01 || y.maxx < x.minx - 0.01 || y.miny > x.maxy + 0.01 ||
          y.maxy < x.miny - 0.01 || !rims[a] || !rims[b]) {
        continue;
      }
      auto shared = geo::intersection(rims[a].get(), rims[b].get(), "shared border");
      const double len = shared ? geo::length(shared->get()) : 0.0;
      if (len <= 0.01) continue;
      book.m_neighbours[a].push_back({std::string(grids.code[b]), std::string(grids.name[b]), len});
      book.m_neighbours[b].push_back({std::string(grids.code[a]), std::string(grids.name[a]), len});
    }
  }
  for (auto& list : book.m_neighbours) {
    std::stable_sort(list.begin(), list.end(), [](const Neighbour& p, const Neighbour& q) {
      return p.sharedEdgeM > q.sharedEdgeM;
    });
  }
  return book;
}

core::Result<std::uint32_t> ReportBook::gridIndex(std::string_view code) const {
  if (auto it = m_index.find(code); it != m_index.end()) return it->second;
  return core::makeError(core::ErrorCode::kInvalidArgument,
                         "no grid with code '" + std::string(code) + "'");
}

std::vector<Finding> ReportBook::findingsOf(std::uint32_t grid) const {
  const std::string_view code = m_twin->district().grids().code[grid];
  std::vector<Finding> out;
  for (const Finding& f : m_findings) {
    if (std::find(f.codes.begin(), f.codes.end(), code) != f.codes.end()) out.push_back(f);
  }
  return out;
}

core::Result<GridReport> ReportBook::report(std::string_view gridCode, const query::Access& access,
                                            std::int64_t now) const {
  auto g = gridIndex(gridCode);
  if (!g) return g.takeError();
  if (!access.scope.contains(*g)) {
    return core::makeError(core::ErrorCode::kInvalidArgument,
                           "grid " + std::string(gridCode) + " is outside the scope of role " +
                               std::string(query::name(access.role)));
  }
  const query::Twin& twin = *m_twin;
  const model::District& d = twin.district();
  const auto& c = d.columns();
  GridReport r;
  r.role = std::string(query::name(access.role));
  r.code = std::string(c.grids.code[*g]);
  r.name = std::string(c.grids.name[*g]);
  const std::uint32_t community = d.communityOfGrid(*g), street = d.streetOfGrid(*g);
  r.communityCode = std::string(c.communities.code[community]);
  r.communityName = std::string(c.communities.name[community]);
  r.streetCode = std::string(c.streets.code[street]);
  r.streetName = std::string(c.streets.name[street]);
  if (const std::int32_t head = twin.stationHeadOf(*g); head >= 0) {
    const query::StaffView v = query::viewStaff(twin, access, static_cast<std::uint32_t>(head));
    r.stationHead = v.name;
    r.stationHeadPhone = v.phone;
  }
  r.workers = twin.workersOf(*g).size();
  r.areaM2 = m_area[*g];
  r.perimeterM = m_perimeter[*g];
  r.neighbours = m_neighbours[*g];

  query::EventFilter events;
  events.window = query::TimeWindow::lastDays(now, 30);
  r.eventWindow =
      query::formatTime(events.window->from) + " – " + query::formatTime(events.window->to);
  auto selection =
      query::select(twin, access, query::Area::ofGrids({*g}), query::KindSet::all(), events);
  if (!selection) return selection.takeError();
  const query::Stats s = query::aggregate(twin, *selection, now);
  using model::Kind;
  r.records = {
      {"建筑 buildings", s.count(Kind::kBuilding)}, {"地址 addresses", s.count(Kind::kAddress)},
      {"房屋 houses", s.count(Kind::kHouse)},       {"人口 people", s.count(Kind::kPerson)},
      {"法人 entities", s.count(Kind::kEntity)},    {"设施 facilities", s.count(Kind::kFacility)},
      {"事件 events (30 d)", s.count(Kind::kEvent)}};
  for (std::size_t t = 0; t < model::kPersonTagCount; ++t) {
    r.peopleByTag.push_back({std::string(kTagLabels[t]), s.peopleByTag[t]});
  }
  for (std::size_t k = 0; k < 3; ++k) {
    r.entitiesByColour.push_back({std::string(kColourLabels[k]), s.entitiesByColour[k]});
  }
  r.facilitiesByType = nonZeroByCount(s.facilitiesByType, c.facilityTypeNames);
  r.ownerlessFacilities = s.ownerlessFacilities;
  for (std::size_t k = 0; k < s.eventsByStatus.size(); ++k) {
    r.eventsByStatus.push_back(
        {std::string(model::name(static_cast<model::EventStatus>(k))), s.eventsByStatus[k]});
  }
  r.eventsByCategory = nonZeroByCount(s.eventsByCategory, c.categoryNames);
  // Records stored in grids outside the scope stay invisible, here too.
  for (Finding& f : findingsOf(*g)) {
    if (!f.storedGrid.empty()) {
      auto it = m_index.find(f.storedGrid);
      if (it == m_index.end() || !access.scope.contains(it->second)) continue;
    }
    r.findings.push_back(std::move(f));
  }
  return r;
}

std::string toMarkdown(const GridReport& r, const std::string& pngName) {
  std::string md = "# 网格体检表 Grid report — " + r.name + " (" + r.code + ")\n\n";
  md += headLine(r) + "\n\n";
  md += "*Made for role " + r.role + "; counts cover this grid only.*\n\n";
  if (!pngName.empty()) {
    md += "![" + r.code + " and its neighbours](" + pngName + ")\n\n*" + std::string(kMapKey) +
          "*\n\n";
  }
  for (const Section& s : sections(r)) {
    md += "## " + s.title + "\n\n";
    if (!s.note.empty()) md += s.note + "\n\n";
    if (s.table.size() <= 1) continue;
    for (std::size_t row = 0; row < s.table.size(); ++row) {
      md += "|";
      for (const auto& cell : s.table[row]) {
        std::string c = cell;
        for (std::size_t p = c.find('|'); p != std::string::npos; p = c.find('|', p + 2)) {
          c.replace(p, 1, "\\|");
        }
        md += " " + c + " |";
      }
      md += "\n";
      if (row == 0) {
        md += "|";
        for (std::size_t k = 0; k < s.table[row].size(); ++k) md += (k == 0 ? "---|" : "--:|");
        md += "\n";
      }
    }
    md += "\n";
  }
  return md;
}

std::string toHtml(const GridReport& r, const std::string& pngName) {
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
      html(r.name + " " + r.code) +
      "</title>\n<style>\n"
      "body{font-family:'WenQuanYi Micro Hei','Noto Sans CJK SC','Microsoft YaHei',sans-serif;"
      "margin:24px;color:#222;max-width:900px}\n"
      "h1{font-size:20px;color:#1f5fa8}h2{font-size:15px;margin-top:18px;border-bottom:1px solid "
      "#ccc}\n"
      "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:3px "
      "8px}td.n{text-align:right}\n"
      "th{background:#eef3f8}img{width:100%;max-width:640px;border:1px solid #ccc}\n"
      ".meta{color:#555;font-size:12px}\n</style>\n</head>\n<body>\n";
  h += "<h1>网格体检表 Grid report — " + html(r.name) + " (" + html(r.code) + ")</h1>\n";
  h += "<p>" + html(headLine(r)) + "</p>\n";
  h += "<p class=\"meta\">Made for role " + html(r.role) + "; counts cover this grid only.</p>\n";
  if (!pngName.empty()) {
    h += "<p><img src=\"" + html(pngName) + "\" alt=\"" + html(r.code) +
         " and its neighbours\"><br><span class=\"meta\">" + html(kMapKey) + "</span></p>\n";
  }
  for (const Section& s : sections(r)) {
    h += "<h2>" + html(s.title) + "</h2>\n";
    if (!s.note.empty()) h += "<p class=\"meta\">" + html(s.note) + "</p>\n";
    if (s.table.size() <= 1) continue;
    h += "<table>\n";
    for (std::size_t row = 0; row < s.table.size(); ++row) {
      h += "<tr>";
      for (std::size_t k = 0; k < s.table[row].size(); ++k) {
        const std::string tag = row == 0 ? "th" : (k == 0 ? "td" : "td class=\"n\"");
        h += "<" + tag + ">" + html(s.table[row][k]) + "</" + (row == 0 ? "th" : "td") + ">";
      }
      h += "</tr>\n";
    }
    h += "</table>\n";
  }
  h += "</body>\n</html>\n";
  return h;
}

}  // namespace gridtwin::boundary
