#pragma once
// The generator's data catalogues, read from CSV files in the repository:
// data/catalog/event_types.csv, the 247 grid event item types (网格事项).
// Loading is pure and thread-safe; the result is a plain value.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace gridtwin::generator {

// The level an event is dispatched to by default.
enum class DispatchLevel { kGrid, kCommunity, kStreet, kDistrict };

// "grid", "community", "street", "district".
std::string_view dispatchLevelName(DispatchLevel level);

struct EventType {
  std::string code;         // 6 digits: category (2) + subcategory (2) + item (2)
  std::string name;         // "占道经营"
  std::string category;     // "城市管理"
  std::string subcategory;  // "街面秩序"
  DispatchLevel defaultLevel = DispatchLevel::kGrid;
  double weight = 0;        // relative frequency among all events, > 0
  double hotlineShare = 0;  // share of this item's events reported via 12345, 0..1
  std::size_t line = 0;     // line in the file, for later messages
};

// Loads and checks the event catalogue: columns code, name, category,
// subcategory, default_level, weight, hotline_share (any order, extra columns
// ignored); codes of 6 digits, unique; names unique; codes sharing the first
// 2 (4) digits share the category (subcategory); weight a finite number > 0;
// hotline_share within 0..1. The count is not checked (tests pin 247).
// Errors name the file, line and column.
core::Result<std::vector<EventType>> loadEventTypes(const std::string& path);

}  // namespace gridtwin::generator
