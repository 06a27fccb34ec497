#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "generator/catalogs.h"
#include "generator/names.h"
#include "layers/catalog.h"
#include "layers/csv.h"

using gridtwin::generator::DispatchLevel;
using gridtwin::generator::loadEventTypes;
using gridtwin::layers::GeometryType;
using gridtwin::layers::loadLayerCatalog;
using gridtwin::layers::parseCsv;
using gridtwin::layers::parseLayerSource;
using gridtwin::layers::parseLayerStyle;
using gridtwin::layers::SourceOp;

namespace {

const std::string kEventTypesCsv =
    std::string(GRIDTWIN_SOURCE_DIR) + "/data/catalog/event_types.csv";
const std::string kLayerCatalogCsv = std::string(GRIDTWIN_SOURCE_DIR) + "/layers/catalog.csv";

// Writes text to a fresh file under the build tree and returns its path.
std::string writeTemp(const std::string& name, const std::string& text) {
  const auto dir = std::filesystem::path(GRIDTWIN_BINARY_DIR) / "test_tmp" / "generator_parts";
  std::filesystem::create_directories(dir);
  const auto path = dir / name;
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

}  // namespace

// --- CSV reader ---------------------------------------------------------------

TEST(CsvReader, QuotedFieldsCommasQuotesAndLineBreaks) {
  auto t = parseCsv(
      "\xEF\xBB\xBF"
      "a,b,c\r\n1,\"x,y\",\"say \"\"hi\"\"\"\r\n\n2,\"two\nlines\",\r\n",
      "mem.csv");
  ASSERT_TRUE(t.ok()) << t.error().toString();
  ASSERT_EQ(t->header, (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0].fields[1], "x,y");
  EXPECT_EQ(t->rows[0].fields[2], "say \"hi\"");
  EXPECT_EQ(t->rows[1].line, 4u);
  EXPECT_EQ(t->rows[1].fields[1], "two\nlines");
  EXPECT_EQ(t->rows[1].fields[2], "");
}

TEST(CsvReader, ErrorsNameFileAndLine) {
  auto count = parseCsv("a,b\n1,2\n3\n", "m.csv");
  ASSERT_FALSE(count.ok());
  EXPECT_EQ(count.error().toString(), "m.csv:3: 1 fields, the header has 2");
  auto quote = parseCsv("a,b\n1,\"open\n", "m.csv");
  ASSERT_FALSE(quote.ok());
  EXPECT_EQ(quote.error().toString(), "m.csv:2: unterminated quoted field");
  auto stray = parseCsv("a,b\n1,x\"y\n", "m.csv");
  ASSERT_FALSE(stray.ok());
  EXPECT_NE(stray.error().toString().find("m.csv:2: quote inside"), std::string::npos);
  auto utf8 = parseCsv("a,b\n1,2\n\xFF,3\n", "m.csv");
  ASSERT_FALSE(utf8.ok());
  EXPECT_EQ(utf8.error().toString(), "m.csv:3: text is not valid UTF-8");
  auto empty = parseCsv("", "m.csv");
  EXPECT_FALSE(empty.ok());
}

// --- event catalogue ------------------------------------------------------------

TEST(EventTypes, CatalogueHas247UniqueItemsAndLoads) {
  auto types = loadEventTypes(kEventTypesCsv);
  ASSERT_TRUE(types.ok()) << types.error().toString();
  ASSERT_EQ(types->size(), 247u);
  std::set<std::string> codes;
  std::set<std::string> categories;
  double total = 0;
  double top = 0;
  for (const auto& t : *types) {
    codes.insert(t.code);
    categories.insert(t.category);
    total += t.weight;
    top = std::max(top, t.weight);
  }
  EXPECT_EQ(codes.size(), 247u);
  EXPECT_GE(categories.size(), 15u);
  EXPECT_TRUE(categories.count("城市管理"));
  EXPECT_TRUE(categories.count("食品安全"));
  EXPECT_LT(top / total, 0.05);  // no single item dominates…
  std::vector<double> w;
  for (const auto& t : *types) w.push_back(t.weight);
  std::sort(w.rbegin(), w.rend());
  double top20 = 0;
  for (std::size_t i = 0; i < 20; ++i) top20 += w[i];
  EXPECT_GT(top20 / total, 0.35);  // …but the head is heavy: a long tail
  EXPECT_EQ((*types)[0].defaultLevel, DispatchLevel::kGrid);
}

TEST(EventTypes, BadNumberIsAnErrorNamingFileLineAndColumn) {
  const std::string path =
      writeTemp("bad_weight.csv",
                "code,name,category,subcategory,default_level,weight,hotline_share\n"
                "010101,暴露垃圾,城市管理,市容环境,grid,384.0,0.27\n"
                "010102,积存垃圾渣土,城市管理,市容环境,grid,lots,0.28\n");
  auto r = loadEventTypes(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().toString(), path + ":3: weight: \"lots\" is not a number > 0");
}

TEST(EventTypes, MissingColumnIsAnErrorNamingTheColumn) {
  const std::string path = writeTemp("missing_column.csv",
                                     "code,name,category,subcategory,weight,hotline_share\n"
                                     "010101,暴露垃圾,城市管理,市容环境,384.0,0.27\n");
  auto r = loadEventTypes(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().toString(), path + ":1: missing column \"default_level\" in the header");
}

TEST(EventTypes, DuplicateCodeAndInconsistentCategoryAreErrors) {
  const std::string header = "code,name,category,subcategory,default_level,weight,hotline_share\n";
  auto dup =
      loadEventTypes(writeTemp("dup.csv", header + "010101,甲,城市管理,市容环境,grid,1,0.1\n"
                                                   "010101,乙,城市管理,市容环境,grid,1,0.1\n"));
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().toString().find(":3: code: \"010101\" is used twice"), std::string::npos);
  auto cat =
      loadEventTypes(writeTemp("cat.csv", header + "010101,甲,城市管理,市容环境,grid,1,0.1\n"
                                                   "010201,乙,安全生产,街面秩序,grid,1,0.1\n"));
  ASSERT_FALSE(cat.ok());
  EXPECT_NE(cat.error().toString().find(":3: category:"), std::string::npos);
  auto share =
      loadEventTypes(writeTemp("share.csv", header + "010101,甲,城市管理,市容环境,grid,1,1.5\n"));
  ASSERT_FALSE(share.ok());
  EXPECT_NE(share.error().toString().find(":2: hotline_share"), std::string::npos);
  auto missing = loadEventTypes("/nonexistent/event_types.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().context, "/nonexistent/event_types.csv");
}

// --- layer catalogue ------------------------------------------------------------

TEST(LayerCatalog, Has244UniqueLayersWhoseSourcesParse) {
  auto layers = loadLayerCatalog(kLayerCatalogCsv);
  ASSERT_TRUE(layers.ok()) << layers.error().toString();
  ASSERT_EQ(layers->size(), 244u);
  std::set<std::string> ids;
  std::set<std::string> tables;
  for (std::size_t i = 0; i < layers->size(); ++i) {
    const auto& l = (*layers)[i];
    ids.insert(l.id);
    tables.insert(l.table);
    std::string expectedId = std::to_string(i + 1);
    expectedId = "L" + std::string(3 - expectedId.size(), '0') + expectedId;
    EXPECT_EQ(l.id, expectedId);
    EXPECT_LE(l.table.size(), 50u);
    // Re-parse: the loader kept what it parsed.
    auto again = parseLayerSource(l.source.text);
    ASSERT_TRUE(again.ok()) << l.id << ": " << again.error().toString();
  }
  EXPECT_EQ(ids.size(), 244u);
  EXPECT_EQ(tables.size(), 244u);
}

TEST(LayerCatalog, FreeTextValuesExistInTheGeneratorCatalogues) {
  // layers cannot depend on the generator, so the generator's vocabulary of
  // industries and event categories is checked here.
  auto layers = loadLayerCatalog(kLayerCatalogCsv);
  ASSERT_TRUE(layers.ok()) << layers.error().toString();
  auto types = loadEventTypes(kEventTypesCsv);
  ASSERT_TRUE(types.ok()) << types.error().toString();
  std::set<std::string> categories;
  std::set<std::string> codes;
  for (const auto& t : *types) {
    categories.insert(t.category);
    codes.insert(t.code);
  }
  for (const auto& l : *layers) {
    for (const auto& f : l.source.filters) {
      for (const auto& v : f.values) {
        if (f.key == "industry") {
          EXPECT_NE(gridtwin::generator::findIndustry(v), nullptr) << l.id << " " << v;
        } else if (f.key == "category") {
          EXPECT_TRUE(categories.count(v)) << l.id << " " << v;
        } else if (f.key == "code") {
          bool found = false;
          for (const auto& c : codes) found = found || c.rfind(v, 0) == 0;
          EXPECT_TRUE(found) << l.id << " " << v;
        }
      }
    }
  }
}

TEST(LayerSource, GrammarExamples) {
  auto camera = parseLayerSource("facilities:type=camera:purpose=traffic");
  ASSERT_TRUE(camera.ok()) << camera.error().toString();
  EXPECT_EQ(camera->filters.size(), 2u);
  auto buffer = parseLayerSource("buffer:roads:class=arterial|expressway:50");
  ASSERT_TRUE(buffer.ok()) << buffer.error().toString();
  EXPECT_EQ(buffer->op, SourceOp::kBuffer);
  EXPECT_EQ(buffer->bufferMetres, 50);
  EXPECT_EQ(buffer->filters[0].values.size(), 2u);
  auto density = parseLayerSource("density:people:tag=elderly80:grids");
  ASSERT_TRUE(density.ok()) << density.error().toString();
  EXPECT_EQ(density->densityUnit, gridtwin::layers::SourceKind::kGrids);
  auto floors = parseLayerSource("buildings:floors>=10");
  ASSERT_TRUE(floors.ok());
  EXPECT_EQ(floors->filters[0].op, gridtwin::layers::FilterOp::kAtLeast);
}

TEST(LayerSource, ErrorsSayWhatWasExpected) {
  auto msg = [](std::string_view s) {
    auto r = parseLayerSource(s);
    EXPECT_FALSE(r.ok()) << s;
    return r.ok() ? std::string() : r.error().message;
  };
  EXPECT_NE(msg("cameras").find("unknown kind \"cameras\""), std::string::npos);
  EXPECT_NE(msg("facilities:typ=camera").find("unknown key \"typ\" for facilities"),
            std::string::npos);
  EXPECT_NE(msg("facilities:type=camra").find("unknown type \"camra\""), std::string::npos);
  EXPECT_NE(msg("buffer:roads:abc").find("buffer distance \"abc\""), std::string::npos);
  EXPECT_NE(msg("density:roads:grids").find("density counts point kinds"), std::string::npos);
  EXPECT_NE(msg("centroid:facilities").find("needs a polygon kind"), std::string::npos);
  EXPECT_NE(msg("buildings:use>=3").find("only takes ="), std::string::npos);
  EXPECT_NE(msg("events:code=123").find("not a 2, 4 or 6 digit code"), std::string::npos);
  EXPECT_NE(msg("roads:class=").find("empty value"), std::string::npos);
  EXPECT_NE(msg("district:kind=x").find("expected no filters"), std::string::npos);
}

TEST(LayerStyle, ParsesTheFlatJson) {
  auto s = parseLayerStyle(
      R"({"fill":"#f4a261","stroke":"#333333","width":1.5,"icon":"camera","dash":[4,2]})");
  ASSERT_TRUE(s.ok()) << s.error().toString();
  EXPECT_EQ(s->fill, "#f4a261");
  EXPECT_EQ(s->width, 1.5);
  EXPECT_EQ(s->icon, "camera");
  EXPECT_EQ(s->dash, (std::vector<double>{4, 2}));
  EXPECT_FALSE(parseLayerStyle(R"({"fill":"red"})").ok());
  EXPECT_FALSE(parseLayerStyle(R"({"colour":"#ffffff"})").ok());
  EXPECT_FALSE(parseLayerStyle(R"({"width":1,})").ok());
  EXPECT_FALSE(parseLayerStyle(R"({"opacity":2})").ok());
}

TEST(LayerCatalog, BadRowsNameFileLineAndField) {
  const std::string header =
      "id,table,name,category,geometry_type,source,style,min_scale,max_scale,owner_department\n";
  const std::string good =
      "L001,lyr_cameras,视频监控,视频监控,Point,facilities:type=camera,\"{\"\"icon\"\":"
      "\"\"camera\"\"}\",10000,0,公安\n";
  ASSERT_TRUE(loadLayerCatalog(writeTemp("good.csv", header + good)).ok());
  struct Case {
    std::string row;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"L001,lyr_b,名,类,Point,poi,{},0,0,部门\n", ":3: id: \"L001\" is used twice"},
      {"L002,lyr_cameras,名,类,Point,poi,{},0,0,部门\n",
       ":3: table: \"lyr_cameras\" is used twice"},
      {"L002,Cameras,名,类,Point,poi,{},0,0,部门\n", ":3: table: \"Cameras\" is not lyr_"},
      {"L002,lyr_b,名,类,Pointy,poi,{},0,0,部门\n", ":3: geometry_type: \"Pointy\""},
      {"L002,lyr_b,名,类,Polygon,poi,{},0,0,部门\n",
       ":3: geometry_type: Polygon but source \"poi\" yields points"},
      {"L002,lyr_b,名,类,Point,poi:kind=zoo,{},0,0,部门\n",
       ":3: source: source \"poi:kind=zoo\": unknown kind \"zoo\""},
      {"L002,lyr_b,名,类,Point,poi,{},ten,0,部门\n",
       ":3: min_scale: \"ten\" is not a non-negative integer"},
      {"L002,lyr_b,名,类,Point,poi,{},100,5000,部门\n",
       ":3: min_scale: 100 is below max_scale 5000"},
      {"L002,lyr_b,名,类,Point,poi,{x},0,0,部门\n", ":3: style: style: expected a key"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string path =
        writeTemp("bad" + std::to_string(i) + ".csv", header + good + cases[i].row);
    auto r = loadLayerCatalog(path);
    ASSERT_FALSE(r.ok()) << cases[i].row;
    EXPECT_EQ(r.error().toString().find(path + cases[i].expected), 0u)
        << r.error().toString() << "\nexpected prefix: " << path + cases[i].expected;
  }
  const std::string noSource = writeTemp(
      "no_source.csv",
      "id,table,name,category,geometry_type,style,min_scale,max_scale,owner_department\n");
  auto r = loadLayerCatalog(noSource);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().toString(), noSource + ":1: missing column \"source\" in the header");
}

TEST(LayerCatalog, FacilityTypesAgreeWithTheGenerator) {
  // data/catalog/facility_types.csv (the generator's) must be expressible in
  // layer sources, or its facilities could never be shown.
  auto types = gridtwin::layers::readCsvFile(std::string(GRIDTWIN_SOURCE_DIR) +
                                             "/data/catalog/facility_types.csv");
  ASSERT_TRUE(types.ok()) << types.error().toString();
  auto codeCol = types->column("code");
  ASSERT_TRUE(codeCol.ok());
  const auto& spec = gridtwin::layers::sourceKindSpec(gridtwin::layers::SourceKind::kFacilities);
  std::set<std::string_view> vocabulary;
  for (const auto& key : spec.keys) {
    if (key.name == "type") vocabulary.insert(key.values.begin(), key.values.end());
  }
  std::set<std::string> generated;
  for (const auto& row : types->rows) {
    EXPECT_TRUE(vocabulary.count(row.fields[*codeCol])) << row.fields[*codeCol];
    generated.insert(row.fields[*codeCol]);
  }
  // And the other way: a layer of a type the generator never makes is empty.
  auto layers = loadLayerCatalog(kLayerCatalogCsv);
  ASSERT_TRUE(layers.ok()) << layers.error().toString();
  for (const auto& l : *layers) {
    if (l.source.kind != gridtwin::layers::SourceKind::kFacilities) continue;
    for (const auto& f : l.source.filters) {
      if (f.key != "type") continue;
      for (const auto& v : f.values) EXPECT_TRUE(generated.count(v)) << l.id << " " << v;
    }
  }
}
