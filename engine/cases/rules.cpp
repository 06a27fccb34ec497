#include "cases/rules.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <unordered_map>

namespace gridtwin::cases {
namespace {

using core::ErrorCode;
using core::makeError;

constexpr std::size_t kSeverities = 3;

std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const auto comma = line.find(',', start);
    std::string_view f =
        line.substr(start, comma == std::string_view::npos ? line.npos : comma - start);
    while (!f.empty() && (f.front() == ' ' || f.front() == '\t')) f.remove_prefix(1);
    while (!f.empty() && (f.back() == ' ' || f.back() == '\t' || f.back() == '\r')) {
      f.remove_suffix(1);
    }
    out.push_back(f);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

// Rules name categories by their 6-digit code only (no numbers, no names).
bool isCode(std::string_view s) {
  return s.size() == 6 && s.find_first_not_of("0123456789") == std::string_view::npos;
}

core::Result<std::string> readAll(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(ErrorCode::kIo, "cannot read the " + std::string(what), path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

core::Result<CategoryCatalog> CategoryCatalog::load(const std::string& path) {
  auto text = readAll(path, "event categories");
  if (!text) return text.takeError();
  return parse(*text, path);
}

core::Result<CategoryCatalog> CategoryCatalog::parse(std::string_view text,
                                                     const std::string& source) {
  CategoryCatalog out;
  std::size_t pos = 0, lineNo = 0;
  std::size_t codeCol = 0, nameCol = 0;
  bool header = false;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++lineNo;
    const std::string where = source + ":" + std::to_string(lineNo);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const auto f = split(line);
    if (!header) {
      const auto at = [&](std::string_view col) {
        return static_cast<std::size_t>(std::find(f.begin(), f.end(), col) - f.begin());
      };
      codeCol = at("code");
      nameCol = at("name");
      if (codeCol == f.size() || nameCol == f.size()) {
        return makeError(ErrorCode::kInvalidArgument, "expected a header with code and name",
                         where);
      }
      header = true;
      continue;
    }
    if (f.size() <= std::max(codeCol, nameCol) || f[codeCol].empty()) {
      return makeError(ErrorCode::kInvalidArgument, "a row without its code or name", where);
    }
    const auto index = static_cast<std::uint32_t>(out.m_codes.size());
    if (!out.m_byKey.emplace(std::string(f[codeCol]), index).second) {
      return makeError(ErrorCode::kInvalidArgument,
                       "category " + std::string(f[codeCol]) + " is given twice", where);
    }
    out.m_byKey.emplace(std::string(f[nameCol]), index);  // a name used twice keeps its first
    out.m_codes.emplace_back(f[codeCol]);
    out.m_names.emplace_back(f[nameCol]);
  }
  if (out.m_codes.empty()) return makeError(ErrorCode::kInvalidArgument, "no categories", source);
  return out;
}

std::int32_t CategoryCatalog::find(std::string_view given) const {
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(given.data(), given.data() + given.size(), n);
  if (ec == std::errc() && end == given.data() + given.size() && given.size() < 6) {
    // A number: 1..size() is the catalogue's position; otherwise a code
    // whose leading zero was lost (10101 → 010101). Codes are 6 digits from
    // 010101, so the two never meet.
    if (n >= 1 && n <= size()) return static_cast<std::int32_t>(n - 1);
    char code[24];
    std::snprintf(code, sizeof code, "%06llu", static_cast<unsigned long long>(n));
    const auto it = m_byKey.find(code);
    return it == m_byKey.end() ? -1 : static_cast<std::int32_t>(it->second);
  }
  const auto it = m_byKey.find(std::string(given));
  return it == m_byKey.end() ? -1 : static_cast<std::int32_t>(it->second);
}

core::Result<DispatchRules> DispatchRules::load(const std::string& path,
                                                const CategoryCatalog& catalog) {
  auto text = readAll(path, "dispatch rules");
  if (!text) return text.takeError();
  return parse(*text, path, catalog);
}

core::Result<DispatchRules> DispatchRules::parse(std::string_view text, const std::string& name,
                                                 const CategoryCatalog& catalog) {
  const std::size_t codeCount = catalog.size();
  // Specificity 0: code+severity, 1: code+*, 2: *+severity, 3: *+*.
  std::vector<std::array<std::optional<Level>, 4>> rule(codeCount * kSeverities);
  std::array<std::optional<Level>, kSeverities> anyCode;
  std::optional<Level> anyAll;
  std::size_t lineNo = 0;
  bool header = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++lineNo;
    const std::string where = name + ":" + std::to_string(lineNo);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos || line.front() == '#') continue;
    const auto f = split(line);
    if (!header) {
      if (f.size() != 3 || f[0] != "category" || f[1] != "severity" || f[2] != "level") {
        return makeError(ErrorCode::kInvalidArgument,
                         "expected the header 'category,severity,level'", where);
      }
      header = true;
      continue;
    }
    if (f.size() != 3) {
      return makeError(
          ErrorCode::kInvalidArgument,
          "expected 3 columns (category,severity,level), got " + std::to_string(f.size()), where);
    }
    Level level;
    if (!parseLevel(f[2], level)) {
      return makeError(
          ErrorCode::kInvalidArgument,
          "level '" + std::string(f[2]) + "' is not one of grid, community, department, street",
          where);
    }
    std::optional<Severity> severity;
    if (f[1] != "*") {
      Severity s;
      if (!parseSeverity(f[1], s)) {
        return makeError(
            ErrorCode::kInvalidArgument,
            "severity '" + std::string(f[1]) + "' is not one of normal, serious, major, *", where);
      }
      severity = s;
    }
    auto set = [&](std::optional<Level>& slot) -> core::Result<void> {
      if (slot) {
        return makeError(
            ErrorCode::kInvalidArgument,
            "category " + std::string(f[0]) + " severity " + std::string(f[1]) + " is given twice",
            where);
      }
      slot = level;
      return {};
    };
    if (f[0] == "*") {
      GRIDTWIN_TRY(set(severity ? anyCode[static_cast<std::size_t>(*severity)] : anyAll));
      continue;
    }
    const std::int32_t found = isCode(f[0]) ? catalog.find(f[0]) : -1;
    if (found < 0) {
      return makeError(ErrorCode::kInvalidArgument,
                       "category '" + std::string(f[0]) + "' is not one of the catalogue's " +
                           std::to_string(codeCount) + " category codes",
                       where);
    }
    const auto row = static_cast<std::size_t>(found);
    if (severity) {
      GRIDTWIN_TRY(set(rule[row * kSeverities + static_cast<std::size_t>(*severity)][0]));
    } else {
      GRIDTWIN_TRY(set(rule[row * kSeverities][1]));
      for (std::size_t s = 1; s < kSeverities; ++s) rule[row * kSeverities + s][1] = level;
    }
  }
  if (!header) return makeError(ErrorCode::kInvalidArgument, "no header line", name);
  DispatchRules out;
  out.m_levels.resize(rule.size());
  for (std::size_t c = 0; c < codeCount; ++c) {
    for (std::size_t s = 0; s < kSeverities; ++s) {
      auto& r = rule[c * kSeverities + s];
      r[2] = anyCode[s];
      r[3] = anyAll;
      std::optional<Level> chosen;
      for (const auto& candidate : r) {
        if (candidate) {
          chosen = candidate;
          break;
        }
      }
      if (!chosen) {
        return makeError(ErrorCode::kInvalidArgument,
                         "no rule decides category " + catalog.code(c) + " severity " +
                             std::string(cases::name(static_cast<Severity>(s))),
                         name);
      }
      out.m_levels[c * kSeverities + s] = *chosen;
    }
  }
  return out;
}

Level DispatchRules::levelOf(std::uint32_t category, Severity severity) const {
  return m_levels[category * kSeverities + static_cast<std::size_t>(severity)];
}

}  // namespace gridtwin::cases
