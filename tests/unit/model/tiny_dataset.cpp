#include "unit/model/tiny_dataset.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "store/gpkg_writer.h"

namespace gridtwin::test {
namespace {

using geo::Point;
using store::FieldType;
using store::GeometryType;

geo::Polygon box(double x0, double y0, double x1, double y1) {
  return geo::Polygon{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}, {}};
}
geo::MultiPolygon multi(geo::Polygon p) { return geo::MultiPolygon{{std::move(p)}}; }

void check(const core::Result<void>& r) {
  if (!r) {
    std::fprintf(stderr, "tiny dataset: %s\n", r.error().toString().c_str());
    std::abort();
  }
}

}  // namespace

void writeTinyDataset(const std::string& path) {
  auto writer = store::GpkgWriter::create(path);
  if (!writer) {
    std::fprintf(stderr, "tiny dataset: %s\n", writer.error().toString().c_str());
    std::abort();
  }
  store::GpkgWriter& w = *writer;
  auto table = [&](const char* name, GeometryType g, std::vector<store::FieldSpec> fields) {
    check(w.addTable(store::TableSpec{name, g, std::move(fields), "", true}));
  };
  auto text = [](std::initializer_list<const char*> names) {
    std::vector<store::FieldSpec> f;
    for (const char* n : names) f.push_back({n, FieldType::kText});
    return f;
  };
  // Street 440604001 = [113.00,113.20] x [22.95,23.05]; communities split it
  // at 113.10; grids: A1 [113.00,113.05], A2 [113.05,113.10], B1 the rest.
  table("streets", GeometryType::kMultiPolygon, text({"code", "name"}));
  w.setText(0, "440604001");
  w.setText(1, "祖庙街道");
  w.setMultiPolygon(multi(box(113.0, 22.95, 113.2, 23.05)));
  check(w.writeRow());

  table("communities", GeometryType::kMultiPolygon, text({"code", "name", "street_code"}));
  const char* communities[2][2] = {{"440604001001", "澜石社区居委会"},
                                   {"440604001002", "石头村委会"}};
  for (int c = 0; c < 2; ++c) {
    w.setText(0, communities[c][0]);
    w.setText(1, communities[c][1]);
    w.setText(2, "440604001");
    w.setMultiPolygon(multi(box(113.0 + 0.1 * c, 22.95, 113.1 + 0.1 * c, 23.05)));
    check(w.writeRow());
  }

  table("grids", GeometryType::kMultiPolygon,
        {{"code", FieldType::kText},
         {"name", FieldType::kText},
         {"community_code", FieldType::kText},
         {"street_code", FieldType::kText},
         {"worker_count", FieldType::kInteger}});
  const char* grids[3][3] = {{"440604001001001", "澜石第1网格", "440604001001"},
                             {"440604001001002", "澜石第2网格", "440604001001"},
                             {"440604001002001", "石头第1网格", "440604001002"}};
  const double gridX[4] = {113.0, 113.05, 113.1, 113.2};
  for (int g = 0; g < 3; ++g) {
    w.setText(0, grids[g][0]);
    w.setText(1, grids[g][1]);
    w.setText(2, grids[g][2]);
    w.setText(3, "440604001");
    w.setInt(4, 1);
    geo::Polygon p = box(gridX[g], 22.95, gridX[g + 1], 23.05);
    if (g == 2)
      p.holes.push_back({{113.15, 23.0}, {113.16, 23.0}, {113.16, 23.01}, {113.15, 23.0}});
    w.setMultiPolygon(multi(p));
    check(w.writeRow());
  }

  table("roads", GeometryType::kLineString,
        {{"road_id", FieldType::kInteger},
         {"name", FieldType::kText},
         {"class", FieldType::kText},
         {"width_m", FieldType::kReal},
         {"community_code", FieldType::kText}});
  w.setInt(0, 1);
  w.setText(1, "季华路");
  w.setText(2, "arterial");
  w.setReal(3, 40);
  w.setNull(4);
  w.setLineString({{113.0, 23.0}, {113.1, 23.0}, {113.2, 23.001}});
  check(w.writeRow());
  w.setInt(0, 2);
  w.setText(1, "澜石二路");
  w.setText(2, "lane");
  w.setReal(3, 6);
  w.setText(4, "440604001001");
  w.setLineString({{113.02, 22.96}, {113.02, 23.04}});
  check(w.writeRow());

  // Buildings 10, 20 (door plates) and 30 (no road, no address).
  table("buildings", GeometryType::kPolygon,
        {{"building_id", FieldType::kInteger},
         {"address_code", FieldType::kText},
         {"use", FieldType::kText},
         {"floors", FieldType::kInteger},
         {"height_m", FieldType::kReal},
         {"grid_code", FieldType::kText}});
  const struct {
    int id;
    const char* address;
    const char* use;
    int floors;
    const char* grid;
    double x;
  } buildings[3] = {{10, "44060400100100001", "residential", 6, "440604001001001", 113.01},
                    {20, "44060400100200001", "commercial", 12, "440604001002001", 113.15},
                    {30, nullptr, "industrial", 1, "440604001001002", 113.07}};
  for (const auto& b : buildings) {
    w.setInt(0, b.id);
    if (b.address) {
      w.setText(1, b.address);
    } else {
      w.setNull(1);
    }
    w.setText(2, b.use);
    w.setInt(3, b.floors);
    w.setReal(4, b.floors * 3.0);
    w.setText(5, b.grid);
    w.setPolygon(box(b.x, 23.0, b.x + 0.0002, 23.0002));
    check(w.writeRow());
  }

  table("addresses", GeometryType::kPoint,
        {{"address_code", FieldType::kText},
         {"level", FieldType::kText},
         {"building_id", FieldType::kInteger},
         {"house_id", FieldType::kInteger},
         {"full_text", FieldType::kText},
         {"grid_code", FieldType::kText}});
  const struct {
    const char* code;
    const char* level;
    int building;
    int house;
    const char* text;
    const char* grid;
    double x;
  } addresses[5] = {{"44060400100100001", "doorplate", 10, 0,
                     "广东省佛山市禅城区祖庙街道澜石社区季华路1号", "440604001001001", 113.01},
                    {"44060400100200001", "doorplate", 20, 0,
                     "广东省佛山市禅城区祖庙街道石头村季华路2号", "440604001002001", 113.15},
                    {"44060400100100001010101", "room", 10, 1,
                     "广东省佛山市禅城区祖庙街道澜石社区季华路1号101房", "440604001001001", 113.01},
                    {"44060400100100001010102", "room", 10, 2,
                     "广东省佛山市禅城区祖庙街道澜石社区季华路1号102房", "440604001001001", 113.01},
                    {"44060400100200001010201", "room", 20, 3,
                     "广东省佛山市禅城区祖庙街道石头村季华路2号201房", "440604001002001", 113.15}};
  for (const auto& a : addresses) {
    w.setText(0, a.code);
    w.setText(1, a.level);
    w.setInt(2, a.building);
    if (a.house) {
      w.setInt(3, a.house);
    } else {
      w.setNull(3);
    }
    w.setText(4, a.text);
    w.setText(5, a.grid);
    w.setPoint({a.x, 23.0});
    check(w.writeRow());
  }

  table("houses", GeometryType::kPoint,
        {{"house_id", FieldType::kInteger},
         {"address_code", FieldType::kText},
         {"building_id", FieldType::kInteger},
         {"unit", FieldType::kInteger},
         {"floor", FieldType::kInteger},
         {"room", FieldType::kText},
         {"area_m2", FieldType::kReal},
         {"grid_code", FieldType::kText}});
  const struct {
    int id;
    const char* address;
    int building;
    int floor;
    const char* room;
    const char* grid;
  } houses[4] = {{1, "44060400100100001010101", 10, 1, "101", "440604001001001"},
                 {2, "44060400100100001010102", 10, 1, "102", "440604001001001"},
                 {3, "44060400100200001010201", 20, 2, "201", "440604001002001"},
                 {4, nullptr, 30, 1, "1", "440604001001002"}};
  for (const auto& h : houses) {
    w.setInt(0, h.id);
    if (h.address) {
      w.setText(1, h.address);
    } else {
      w.setNull(1);
    }
    w.setInt(2, h.building);
    w.setInt(3, 1);
    w.setInt(4, h.floor);
    w.setText(5, h.room);
    w.setReal(6, 88.5);
    w.setText(7, h.grid);
    w.setPoint({113.01, 23.0});
    check(w.writeRow());
  }

  table("people", GeometryType::kNone,
        {{"person_id", FieldType::kInteger},
         {"id_number", FieldType::kText},
         {"name", FieldType::kText},
         {"sex", FieldType::kText},
         {"birth_date", FieldType::kText},
         {"phone", FieldType::kText},
         {"tags", FieldType::kText},
         {"household_role", FieldType::kText},
         {"house_id", FieldType::kInteger},
         {"grid_code", FieldType::kText}});
  const struct {
    const char* id;
    const char* name;
    const char* sex;
    const char* birth;
    const char* phone;
    const char* tags;
    int house;
    const char* grid;
  } people[5] = {
      {"44060419400101001X", "陈大文", "男", "1940-01-01", nullptr, "elderly_80,living_alone", 1,
       "440604001001001"},
      {"440604198505050022", "李小红", "女", "1985-05-05", "13800138000", "", 2, "440604001001001"},
      {"430102201503030013", "王小明", "男", "2015-03-03", nullptr, "school_age,migrant,key_person",
       2, "440604001001001"},
      {"440604196001010044", "黄美玲", "女", "1960-01-01", "13900139000", "disabled", 3,
       "440604001002001"},
      {"440604202601010055", "何宝宝", "男", "2026-01-01", nullptr, "newborn", 4,
       "440604001001002"}};
  for (int i = 0; i < 5; ++i) {
    const auto& p = people[i];
    w.setInt(0, i + 1);
    w.setText(1, p.id);
    w.setText(2, p.name);
    w.setText(3, p.sex);
    w.setText(4, p.birth);
    if (p.phone) {
      w.setText(5, p.phone);
    } else {
      w.setNull(5);
    }
    w.setText(6, p.tags);
    w.setText(7, "户主");
    w.setInt(8, p.house);
    w.setText(9, p.grid);
    check(w.writeRow());
  }

  table("entities", GeometryType::kPoint,
        {{"entity_id", FieldType::kInteger},
         {"credit_code", FieldType::kText},
         {"name", FieldType::kText},
         {"industry", FieldType::kText},
         {"type", FieldType::kText},
         {"credit_color", FieldType::kText},
         {"building_id", FieldType::kInteger},
         {"grid_code", FieldType::kText}});
  w.setInt(0, 1);
  w.setText(1, "91440604MA4W0000XX");
  w.setText(2, "佛山市禅城区澜石陶瓷有限公司");
  w.setText(3, "陶瓷");
  w.setText(4, "company");
  w.setText(5, "red");
  w.setInt(6, 20);
  w.setText(7, "440604001002001");
  w.setPoint({113.15, 23.0});
  check(w.writeRow());
  w.setInt(0, 2);
  w.setText(1, "92440604MA4W00001Y");
  w.setText(2, "禅城区小明便利店");
  w.setText(3, "零售");
  w.setText(4, "个体工商户");  // an earlier spelling, still accepted
  w.setText(5, "green");
  w.setInt(6, 10);
  w.setText(7, "440604001001001");
  w.setPoint({113.01, 23.0});
  check(w.writeRow());

  table("facilities", GeometryType::kPoint,
        {{"facility_id", FieldType::kInteger},
         {"type", FieldType::kText},
         {"type_name", FieldType::kText},
         {"owner_department", FieldType::kText},
         {"grid_code", FieldType::kText},
         {"heading_deg", FieldType::kReal},
         {"fov_deg", FieldType::kReal},
         {"mount_height_m", FieldType::kReal}});
  const struct {
    const char* type;
    const char* name;
    const char* owner;
    const char* grid;
    double heading;
  } facilities[3] = {{"camera", "视频监控", "公安局", "440604001001001", 90},
                     {"manhole", "井盖", nullptr, "440604001001002", -1},
                     {"hydrant", "消防栓", "消防救援局", "440604001002001", -1}};
  for (int i = 0; i < 3; ++i) {
    const auto& f = facilities[i];
    w.setInt(0, i + 1);
    w.setText(1, f.type);
    w.setText(2, f.name);
    if (f.owner) {
      w.setText(3, f.owner);
    } else {
      w.setNull(3);
    }
    w.setText(4, f.grid);
    if (f.heading >= 0) {
      w.setReal(5, f.heading);
      w.setReal(6, 70);
      w.setReal(7, 4.5);
    } else {
      w.setNull(5);
      w.setNull(6);
      w.setNull(7);
    }
    w.setPoint({113.02 + 0.05 * i, 23.01});
    check(w.writeRow());
  }

  table("events", GeometryType::kPoint,
        {{"event_id", FieldType::kInteger},
         {"category_code", FieldType::kText},
         {"category_name", FieldType::kText},
         {"category", FieldType::kText},
         {"source", FieldType::kText},
         {"reported_at", FieldType::kText},
         {"status", FieldType::kText},
         {"dispatch_level", FieldType::kText},
         {"grid_code", FieldType::kText}});
  const struct {
    const char* code;
    const char* source;
    const char* at;
    const char* status;
    const char* level;
    const char* grid;
    bool located;
  } events[3] = {{"0101", "hotline12345", "2024-01-01T08:00:00+08:00", "评价结案", "grid",
                  "440604001001001", true},
                 {"0202", "video_ai", "2025-06-30T23:59:59+08:00", "协同处理", "street",
                  "440604001002001", false},
                 {"0101", "patrol", "2026-06-30T12:00:00+08:00", "发现上报", "community",
                  "440604001001002", true}};
  for (int i = 0; i < 3; ++i) {
    const auto& e = events[i];
    w.setInt(0, i + 1);
    w.setText(1, e.code);
    w.setText(2, e.code[1] == '1' ? "占道经营" : "乱堆乱放");
    w.setText(3, "市容环境");
    w.setText(4, e.source);
    w.setText(5, e.at);
    w.setText(6, e.status);
    w.setText(7, e.level);
    w.setText(8, e.grid);
    if (e.located) {
      w.setPoint({113.03 + 0.01 * i, 23.02});
    } else {
      w.clearGeometry();
    }
    check(w.writeRow());
  }

  table("layer_catalog", GeometryType::kNone,
        text({"layer_id", "name", "category", "geometry_type", "table_name"}));
  w.setText(0, "L001");
  w.setText(1, "网格");
  w.setText(2, "管理");
  w.setText(3, "MultiPolygon");
  w.setText(4, "grids");
  check(w.writeRow());
  w.setText(0, "L002");
  w.setText(1, "视频监控");
  w.setText(2, "设施");
  w.setText(3, "Point");
  w.setText(4, "facilities");
  check(w.writeRow());
  check(w.commit());
}

std::string execSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string m = db ? sqlite3_errmsg(db) : "cannot open";
    sqlite3_close(db);
    return m;
  }
  std::vector<std::string> triggers;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'trigger'", -1, &st, nullptr);
  while (st && sqlite3_step(st) == SQLITE_ROW) {
    triggers.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  std::string all;
  for (const auto& t : triggers) all += "DROP TRIGGER \"" + t + "\";";
  all += sql;
  char* message = nullptr;
  std::string error;
  if (sqlite3_exec(db, all.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    error = message ? message : "failed";
  }
  sqlite3_free(message);
  sqlite3_close(db);
  return error;
}

std::string scratchDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("gridtwin-model-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace gridtwin::test
