#include "catalogs.h"

#include <array>
#include <charconv>
#include <cmath>
#include <map>
#include <unordered_set>

#include "layers/csv.h"

namespace gridtwin::generator {

namespace {

using core::ErrorCode;

bool isSixDigits(std::string_view s) {
  if (s.size() != 6) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool parseDouble(std::string_view text, double& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size() &&
         std::isfinite(out);
}

}  // namespace

std::string_view dispatchLevelName(DispatchLevel level) {
  switch (level) {
    case DispatchLevel::kGrid:
      return "grid";
    case DispatchLevel::kCommunity:
      return "community";
    case DispatchLevel::kStreet:
      return "street";
    case DispatchLevel::kDistrict:
      return "district";
  }
  return "?";
}

core::Result<std::vector<EventType>> loadEventTypes(const std::string& path) {
  auto table = layers::readCsvFile(path);
  if (!table.ok()) return table.takeError();
  constexpr std::array<std::string_view, 7> kColumns = {
      "code", "name", "category", "subcategory", "default_level", "weight", "hotline_share"};
  std::array<std::size_t, 7> col{};
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    auto c = table->column(kColumns[i]);
    if (!c.ok()) return c.takeError();
    col[i] = *c;
  }
  std::vector<EventType> types;
  types.reserve(table->rows.size());
  std::unordered_set<std::string> codes, names;
  std::map<std::string, std::string> categoryOf, subcategoryOf;  // by code prefix
  for (const layers::CsvRecord& rec : table->rows) {
    const auto field = [&](std::size_t i) -> const std::string& { return rec.fields[col[i]]; };
    const auto fail = [&](ErrorCode code, std::string_view column, const std::string& what) {
      return core::makeError(code, std::string(column) + ": " + what, table->where(rec));
    };
    EventType t;
    t.line = rec.line;
    t.code = field(0);
    if (!isSixDigits(t.code))
      return fail(ErrorCode::kSyntax, "code", "\"" + t.code + "\" is not 6 digits");
    if (!codes.insert(t.code).second)
      return fail(ErrorCode::kSyntax, "code", "\"" + t.code + "\" is used twice");
    t.name = field(1);
    if (t.name.empty()) return fail(ErrorCode::kSyntax, "name", "empty");
    if (!names.insert(t.name).second)
      return fail(ErrorCode::kSyntax, "name", "\"" + t.name + "\" is used twice");
    t.category = field(2);
    if (t.category.empty()) return fail(ErrorCode::kSyntax, "category", "empty");
    t.subcategory = field(3);
    if (t.subcategory.empty()) return fail(ErrorCode::kSyntax, "subcategory", "empty");
    const auto [cat, catNew] = categoryOf.emplace(t.code.substr(0, 2), t.category);
    if (!catNew && cat->second != t.category) {
      return fail(
          ErrorCode::kInvalidArgument, "category",
          "\"" + t.category + "\" but code prefix " + cat->first + " is \"" + cat->second + "\"");
    }
    const auto [sub, subNew] = subcategoryOf.emplace(t.code.substr(0, 4), t.subcategory);
    if (!subNew && sub->second != t.subcategory) {
      return fail(ErrorCode::kInvalidArgument, "subcategory",
                  "\"" + t.subcategory + "\" but code prefix " + sub->first + " is \"" +
                      sub->second + "\"");
    }
    const std::string& level = field(4);
    bool levelOk = false;
    for (DispatchLevel l : {DispatchLevel::kGrid, DispatchLevel::kCommunity, DispatchLevel::kStreet,
                            DispatchLevel::kDistrict}) {
      if (dispatchLevelName(l) == level) {
        t.defaultLevel = l;
        levelOk = true;
      }
    }
    if (!levelOk) {
      return fail(ErrorCode::kSyntax, "default_level",
                  "\"" + level + "\" (expected grid, community, street or district)");
    }
    if (!parseDouble(field(5), t.weight) || !(t.weight > 0)) {
      return fail(ErrorCode::kBadNumber, "weight", "\"" + field(5) + "\" is not a number > 0");
    }
    if (!parseDouble(field(6), t.hotlineShare) || t.hotlineShare < 0 || t.hotlineShare > 1) {
      return fail(ErrorCode::kBadNumber, "hotline_share",
                  "\"" + field(6) + "\" is not a number within 0..1");
    }
    types.push_back(std::move(t));
  }
  return types;
}

}  // namespace gridtwin::generator
