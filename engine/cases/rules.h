#pragma once
// The catalogue of event categories (data/catalog/event_types.csv: code,
// name, category, subcategory, default_level, ...): the 247 grid items a
// case may name. The district's own model holds only the categories its
// events use, in the order they first appear; the catalogue is the stable
// list (its 1-based position is the number a caller may give).
//
// The dispatch rules: which of the four levels (grid → community →
// department → street) a case goes to, by its category and severity. The
// district edits the table, a CSV (data/catalog/dispatch_rules.csv is the
// reference district's):
//
//   category,severity,level
//   010101,normal,grid
//   010101,serious,community
//   *,major,street
//
// category: one of the district's category codes, or * for any; severity:
// normal, serious, major, or *; level: grid, community, department, street.
// The most specific row wins (code and severity, then code, then severity,
// then * and *). Lines starting with # and blank lines are skipped. Every
// category × severity must be decided, or load() names the first one that
// is not.
//
// Immutable after load(); share it between threads.
#include <string>
#include <unordered_map>
#include <vector>

#include "cases/case.h"
#include "core/error.h"

namespace gridtwin::cases {

class CategoryCatalog {
 public:
  // Errors: kIo naming the file; kInvalidArgument naming the line (no code
  // or name column, a code given twice).
  static core::Result<CategoryCatalog> load(const std::string& path);
  static core::Result<CategoryCatalog> parse(std::string_view text, const std::string& source);

  std::size_t size() const { return m_codes.size(); }
  const std::string& code(std::size_t i) const { return m_codes[i]; }
  const std::string& name(std::size_t i) const { return m_names[i]; }
  // A code ("010101"), a 1-based position (1..size()), a code whose leading
  // zero was lost (10101), or a name (暴露垃圾); -1 when none.
  std::int32_t find(std::string_view given) const;

 private:
  std::vector<std::string> m_codes, m_names;
  std::unordered_map<std::string, std::uint32_t> m_byKey;  // codes and names
};

class DispatchRules {
 public:
  // Errors: kIo naming the file; kInvalidArgument naming the file, line and
  // the value (an unknown code, severity or level, a missing column, a row
  // given twice, an undecided category × severity).
  static core::Result<DispatchRules> load(const std::string& path, const CategoryCatalog& catalog);
  static core::Result<DispatchRules> parse(std::string_view text, const std::string& name,
                                           const CategoryCatalog& catalog);

  // category: a position in the catalogue.
  Level levelOf(std::uint32_t category, Severity severity) const;

 private:
  std::vector<Level> m_levels;  // category * 3 + severity
};

}  // namespace gridtwin::cases
