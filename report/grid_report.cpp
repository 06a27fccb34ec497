#include "report/grid_report.h"
#include "core/markup.h"

#include <algorithm>
#include <cstdio>

namespace gridtwin::report {

namespace {

using boundary::Count;
using boundary::Finding;
using boundary::FindingKind;
using boundary::GridReport;
using boundary::name;

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

std::string html(std::string_view s) { return core::markupEscape(s); }

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

}  // namespace gridtwin::report
