#include "boundary/output.h"

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "crs/transformer.h"
#include "store/gpkg_writer.h"

namespace gridtwin::boundary {

namespace {

std::string joined(const std::vector<std::string>& codes) {
  std::string s;
  for (const auto& c : codes) s += (s.empty() ? "" : ",") + c;
  return s;
}

std::string number(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

std::string findingsText(const std::vector<Finding>& findings) {
  std::string out;
  for (const Finding& f : findings) {
    out += std::string(name(f.kind)) + " " + joined(f.codes) + " at " + number(f.lonlat.x, 7) +
           "," + number(f.lonlat.y, 7);
    if (!f.unit.empty()) out += ": " + number(f.measure, f.unit == "m" ? 2 : 1) + " " + f.unit;
    if (!f.detail.empty()) out += " (" + f.detail + ")";
    out += '\n';
  }
  return out;
}

std::string findingsJson(const std::vector<Finding>& findings) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  std::map<std::string, int> byKind;
  for (const Finding& f : findings) {
    nlohmann::ordered_json j;
    j["kind"] = std::string(name(f.kind));
    j["codes"] = f.codes;
    j["lon"] = f.lonlat.x;
    j["lat"] = f.lonlat.y;
    j["x"] = f.xy.x;
    j["y"] = f.xy.y;
    j["measure"] = f.measure;
    j["unit"] = f.unit;
    j["detail"] = f.detail;
    if (!f.storedGrid.empty()) j["stored_grid"] = f.storedGrid;
    list.push_back(std::move(j));
    ++byKind[std::string(name(f.kind))];
  }
  nlohmann::ordered_json doc;
  doc["findings"] = std::move(list);
  doc["count"] = findings.size();
  doc["by_kind"] = byKind;
  return doc.dump(2) + "\n";
}

core::Result<void> writeFindingsGpkg(const std::string& path,
                                     const std::vector<Finding>& findings) {
  auto toLonLat = crs::Transformer::create(crs::kGaussKruger114, crs::kCgcs2000);
  if (!toLonLat) return toLonLat.takeError();
  auto writer = store::GpkgWriter::create(path);
  if (!writer) return writer.takeError();
  const std::vector<store::FieldSpec> fields = {{"kind", store::FieldType::kText},
                                                {"codes", store::FieldType::kText},
                                                {"measure", store::FieldType::kReal},
                                                {"unit", store::FieldType::kText},
                                                {"detail", store::FieldType::kText}};
  auto setFields = [&](const Finding& f) {
    writer->setText(0, name(f.kind));
    writer->setText(1, joined(f.codes));
    writer->setReal(2, f.measure);
    writer->setText(3, f.unit);
    writer->setText(4, f.detail);
  };
  GRIDTWIN_TRY(writer->addTable({"findings", store::GeometryType::kPoint, fields,
                                 "gridtwin validate: one point per finding", true}));
  for (const Finding& f : findings) {
    setFields(f);
    writer->setPoint(f.lonlat);
    GRIDTWIN_TRY(writer->writeRow());
  }
  GRIDTWIN_TRY(writer->addTable({"finding_areas", store::GeometryType::kMultiPolygon, fields,
                                 "gridtwin validate: the problem geometries", true}));
  for (const Finding& f : findings) {
    if (f.geometry.polygons.empty()) continue;
    geo::MultiPolygon ll = f.geometry;
    for (auto& poly : ll.polygons) {
      auto r = toLonLat->transform(poly.outer);
      if (!r) return r.takeError();
      for (auto& hole : poly.holes) {
        auto h = toLonLat->transform(hole);
        if (!h) return h.takeError();
      }
    }
    setFields(f);
    writer->setMultiPolygon(ll);
    GRIDTWIN_TRY(writer->writeRow());
  }
  return writer->commit();
}

}  // namespace gridtwin::boundary
