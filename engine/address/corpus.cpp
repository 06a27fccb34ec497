#include "address/corpus.h"

#include <cstdio>
#include <fstream>
#include <set>
#include <tuple>

#include "address/text.h"

namespace gridtwin::address {
namespace {
using core::ErrorCode;
using core::makeError;
}  // namespace

core::Result<std::vector<TaggedText>> readNaacl(const std::string& path) {
  std::ifstream in(path);
  if (!in) return makeError(ErrorCode::kNotFound, "cannot open the labelled address file", path);
  std::vector<TaggedText> out;
  TaggedText cur;
  std::string line;
  std::size_t lineNo = 0;
  auto flush = [&] {
    if (!cur.text.empty()) out.push_back(std::move(cur));
    cur = TaggedText{};
  };
  while (std::getline(in, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      flush();
      continue;
    }
    const auto space = line.rfind(' ');
    const std::string where = path + ":" + std::to_string(lineNo);
    if (space == std::string::npos || space == 0 || space + 3 > line.size() ||
        line[space + 2] != '-') {
      return makeError(ErrorCode::kParse, "expected 'token TAG', got '" + line + "'", where);
    }
    const char bi = line[space + 1];
    const auto comp = parseComponent(std::string_view(line).substr(space + 3));
    if ((bi != 'B' && bi != 'I') || !comp || static_cast<std::size_t>(*comp) >= kTaggedComponents) {
      return makeError(ErrorCode::kParse, "unknown tag '" + line.substr(space + 1) + "'", where);
    }
    auto token = decodeUtf8(std::string_view(line).substr(0, space), where);
    if (!token.ok()) return token.takeError();
    for (std::size_t k = 0; k < token->size(); ++k) {
      cur.text.push_back((*token)[k]);
      cur.tags.push_back(bi == 'B' && k == 0 ? beginTag(*comp) : insideTag(*comp));
    }
  }
  flush();
  return out;
}

std::vector<TagSpan> spansOf(const std::vector<std::uint8_t>& tags) {
  std::vector<TagSpan> spans;
  for (std::uint32_t i = 0; i < tags.size(); ++i) {
    const std::uint8_t t = tags[i];
    if (t == kOutside) continue;
    const Component c = tagComponent(t);
    const bool continues =
        !isBegin(t) && !spans.empty() && spans.back().end == i && spans.back().component == c;
    if (continues) {
      spans.back().end = i + 1;
    } else {
      spans.push_back({c, i, i + 1});
    }
  }
  return spans;
}

void Evaluation::add(const std::vector<std::uint8_t>& gold,
                     const std::vector<std::uint8_t>& predicted) {
  const auto g = spansOf(gold);
  const auto p = spansOf(predicted);
  std::set<std::tuple<int, std::uint32_t, std::uint32_t>> goldSet;
  for (const auto& s : g) {
    goldSet.emplace(static_cast<int>(s.component), s.begin, s.end);
    ++perComponent[static_cast<std::size_t>(s.component)].gold;
  }
  for (const auto& s : p) {
    auto& score = perComponent[static_cast<std::size_t>(s.component)];
    ++score.predicted;
    if (goldSet.count({static_cast<int>(s.component), s.begin, s.end}) != 0) ++score.correct;
  }
}

SpanScore Evaluation::micro(const std::vector<Component>& components) const {
  SpanScore s;
  for (Component c : components) s += perComponent[static_cast<std::size_t>(c)];
  return s;
}

SpanScore Evaluation::microAll() const {
  SpanScore s;
  for (const auto& c : perComponent) s += c;
  return s;
}

std::string Evaluation::table() const {
  std::string out = "component        P       R      F1    gold  predicted\n";
  char line[160];
  for (std::size_t i = 0; i < kComponentCount; ++i) {
    const SpanScore& s = perComponent[i];
    if (s.gold == 0 && s.predicted == 0) continue;
    std::snprintf(line, sizeof line, "%-13s %6.4f  %6.4f  %6.4f  %6zu  %9zu\n",
                  std::string(componentName(static_cast<Component>(i))).c_str(), s.precision(),
                  s.recall(), s.f1(), s.gold, s.predicted);
    out += line;
  }
  return out;
}

}  // namespace gridtwin::address
