#include "address/parser.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>

#include "address/corpus.h"
#include "address/text.h"

namespace gridtwin::address {
namespace {

using core::ErrorCode;
using core::makeError;

bool isDigit(char32_t c) { return c >= '0' && c <= '9'; }
bool isNumberChar(char32_t c) { return isDigit(c) || isChineseNumeral(c); }
bool isDirectionChar(char32_t c) { return c == U'东' || c == U'南' || c == U'西' || c == U'北'; }

bool startsWith(std::u32string_view s, std::size_t pos, std::u32string_view word) {
  return pos <= s.size() && s.substr(pos).substr(0, word.size()) == word;
}

// Words that make a bracketed or trailing remark noise rather than address.
constexpr std::u32string_view kNoiseWords[] = {
    U"电联",   U"电话",   U"联系", U"快递", U"代收", U"放门", U"放在", U"放到",
    U"送货",   U"送到",   U"门卫", U"驿站", U"丰巢", U"勿",   U"周末", U"工作日",
    U"不在家", U"打电话", U"收件", U"手机", U"TEL",  U"谢谢", U"麻烦"};

bool hasNoiseWord(std::u32string_view s) {
  for (auto w : kNoiseWords) {
    if (s.find(w) != std::u32string_view::npos) return true;
  }
  return false;
}

void mark(std::vector<std::uint8_t>& forced, std::size_t b, std::size_t e, Component c) {
  for (std::size_t i = b; i < e && i < forced.size(); ++i) {
    forced[i] = i == b ? beginTag(c) : insideTag(c);
  }
}

bool anyForced(const std::vector<std::uint8_t>& forced, std::size_t b, std::size_t e) {
  for (std::size_t i = b; i < e; ++i) {
    if (forced[i] != kOutside) return true;
  }
  return false;
}

// Step 2: spans the rules decide. `f` is the folded text.
void applyRules(std::u32string_view f, std::vector<std::uint8_t>& forced, bool& intersection) {
  const std::size_t n = f.size();
  // Symbols and emoji.
  for (std::size_t i = 0; i < n; ++i) {
    if (charClass(f[i]) == CharClass::kOther) mark(forced, i, i + 1, Component::kRedundant);
  }
  // Bracketed remarks.
  for (std::size_t i = 0; i < n; ++i) {
    if (f[i] != '(' && f[i] != U'【' && f[i] != '[') continue;
    const char32_t close = f[i] == '(' ? U')' : f[i] == '[' ? U']' : U'】';
    const std::size_t j = f.find(close, i + 1);
    if (j == std::u32string_view::npos) break;
    const auto inner = f.substr(i + 1, j - i - 1);
    const bool digitsOnly =
        !inner.empty() &&
        std::all_of(inner.begin(), inner.end(), [](char32_t c) { return isDigit(c) || c == '-'; });
    if (hasNoiseWord(inner) || digitsOnly) mark(forced, i, j + 1, Component::kRedundant);
    i = j;
  }
  // Phone numbers (mobile 1[3-9]xxxxxxxxx, fixed 0xxx-xxxxxxx) and their label.
  for (std::size_t i = 0; i < n;) {
    if (!isDigit(f[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < n && (isDigit(f[j]) || (f[j] == '-' && j + 1 < n && isDigit(f[j + 1])))) ++j;
    const std::size_t len = j - i;
    const bool mobile = len == 11 && f[i] == '1' && f[i + 1] >= '3';
    const bool fixed = f[i] == '0' && len >= 11 && len <= 13 &&
                       f.substr(i, len).find('-') != std::u32string_view::npos;
    const bool longRun = len >= 11 && f.substr(i, len).find('-') == std::u32string_view::npos;
    if (mobile || fixed || longRun) {
      std::size_t b = i;
      while (b > 0 && (f[b - 1] == ':' || f[b - 1] == U'：' || f[b - 1] == ' ')) --b;
      for (auto label : {std::u32string_view(U"联系电话"), std::u32string_view(U"电话"),
                         std::u32string_view(U"手机"), std::u32string_view(U"TEL"),
                         std::u32string_view(U"电联")}) {
        if (b >= label.size() && f.substr(b - label.size(), label.size()) == label) {
          b -= label.size();
          break;
        }
      }
      mark(forced, b, j, Component::kRedundant);
    }
    i = j;
  }
  // Trailing remarks after a separator: "..., 放门口".
  for (std::size_t i = n; i-- > 0;) {
    const char32_t c = f[i];
    if (c != ',' && c != ';' && c != U'。' && c != U'、' && c != U'，') continue;
    const auto rest = f.substr(i + 1);
    if (hasNoiseWord(rest) && rest.find(U'号') == std::u32string_view::npos) {
      mark(forced, i, n, Component::kRedundant);
    }
    break;
  }
  // Leading labels: "收货地址:", "地址:".
  for (auto label : {std::u32string_view(U"收货地址"), std::u32string_view(U"地址")}) {
    if (startsWith(f, 0, label)) {
      std::size_t e = label.size();
      while (e < n && (f[e] == ':' || f[e] == ' ')) ++e;
      mark(forced, 0, e, Component::kRedundant);
      break;
    }
  }
  // Direction and distance: "东北方向50米", "西侧约100米", "南200M".
  for (std::size_t i = 0; i < n; ++i) {
    if (!isDirectionChar(f[i]) || forced[i] != kOutside) continue;
    std::size_t j = i + 1;
    if (j < n && isDirectionChar(f[j])) ++j;
    const std::size_t dirEnd0 = j;
    for (auto suffix :
         {std::u32string_view(U"方向"), std::u32string_view(U"侧"), std::u32string_view(U"面"),
          std::u32string_view(U"边"), std::u32string_view(U"方")}) {
      if (startsWith(f, j, suffix)) {
        j += suffix.size();
        break;
      }
    }
    const std::size_t dirEnd = j;
    std::size_t k = j;
    if (k < n && f[k] == U'约') ++k;
    const std::size_t numStart = k;
    while (k < n && isNumberChar(f[k])) ++k;
    std::size_t unitLen = 0;
    for (auto unit :
         {std::u32string_view(U"公里"), std::u32string_view(U"千米"), std::u32string_view(U"KM"),
          std::u32string_view(U"米"), std::u32string_view(U"M")}) {
      if (startsWith(f, k, unit)) {
        unitLen = unit.size();
        break;
      }
    }
    if (k > numStart && unitLen > 0) {
      mark(forced, i, dirEnd, Component::kDirection);
      mark(forced, dirEnd, k + unitLen, Component::kDistance);
      i = k + unitLen - 1;
    } else if (startsWith(f, dirEnd0, U"方向")) {
      mark(forced, i, dirEnd0 + 2, Component::kDirection);
      i = dirEnd0 + 1;
    }
  }
  // Intersections: "A路与B路交叉口".
  for (auto keyword : {std::u32string_view(U"交叉口"), std::u32string_view(U"交汇处"),
                       std::u32string_view(U"交界处"), std::u32string_view(U"十字路口"),
                       std::u32string_view(U"路口")}) {
    const std::size_t k = f.find(keyword);
    if (k == std::u32string_view::npos || anyForced(forced, k, k + keyword.size())) continue;
    const std::size_t from = k > 12 ? k - 12 : 0;
    for (std::size_t c = k; c-- > from;) {
      if (f[c] == U'与' || f[c] == U'和' || f[c] == U'交' || f[c] == '&' || f[c] == '/') {
        if (c == 0 || c + 1 >= k) break;
        mark(forced, c, c + 1, Component::kAssist);
        mark(forced, c + 1, k, Component::kSubroad);
        mark(forced, k, k + keyword.size(), Component::kAssist);
        intersection = true;
        break;
      }
    }
    if (intersection) break;
  }
  // Village groups: "沿山村5组", "第三村民小组".
  for (std::size_t i = 1; i < n; ++i) {
    if (f[i - 1] != U'村' || forced[i] != kOutside) continue;
    std::size_t j = i;
    if (f[j] == U'第') ++j;
    const std::size_t numStart = j;
    while (j < n && isNumberChar(f[j])) ++j;
    if (j == numStart) continue;
    for (auto suffix :
         {std::u32string_view(U"村民小组"), std::u32string_view(U"经济社"),
          std::u32string_view(U"组"), std::u32string_view(U"队"), std::u32string_view(U"社")}) {
      if (startsWith(f, j, suffix)) {
        mark(forced, i, j + suffix.size(), Component::kVillageGroup);
        break;
      }
    }
  }
}

void replaceAll(std::u32string& s, std::u32string_view from, std::u32string_view to) {
  for (std::size_t p = s.find(from); p != std::u32string::npos; p = s.find(from, p + to.size())) {
    s.replace(p, from.size(), to);
  }
}

bool endsWith(std::u32string_view s, std::u32string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool allAlnum(std::u32string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char32_t c) { return isDigit(c) || (c >= 'A' && c <= 'Z'); });
}

}  // namespace

bool isSetAside(Component c) {
  return c == Component::kRedundant || c == Component::kDirection || c == Component::kDistance ||
         c == Component::kAssist;
}

const ComponentSpan* ParsedAddress::find(Component c) const {
  for (const auto& s : spans) {
    if (s.component == c) return &s;
  }
  return nullptr;
}

std::u32string normalizeValue(Component c, std::u32string_view folded) {
  std::u32string v;
  for (char32_t ch : folded) {
    if (ch != ' ' && ch != '\t') v.push_back(ch);
  }
  switch (c) {
    case Component::kRoadno:
    case Component::kSubroadno:
    case Component::kHouseno:
    case Component::kCellno:
    case Component::kFloorno:
    case Component::kRoomno:
    case Component::kVillageGroup:
    case Component::kDistance: {
      v = arabicNumerals(v);
      if (c == Component::kVillageGroup && !v.empty() && v[0] == U'第') {
        // "第五村民小组": 村 is no counting suffix, but after 第 the run is a number.
        std::size_t e = 1;
        while (e < v.size() && isChineseNumeral(v[e])) ++e;
        const std::int64_t n = chineseNumeralValue(std::u32string_view(v).substr(1, e - 1));
        if (n >= 0) {
          std::u32string digits;
          for (char d : std::to_string(n)) digits.push_back(static_cast<char32_t>(d));
          v.replace(1, e - 1, digits);
        }
      }
      while (!v.empty() && (v.back() == '-' || v.back() == '#' || v.back() == ',')) v.pop_back();
      if (c == Component::kHouseno) {
        replaceAll(v, U"号楼", U"栋");
        replaceAll(v, U"幢", U"栋");
        replaceAll(v, U"座", U"栋");
        if (allAlnum(v)) v += U"栋";
      } else if (c == Component::kCellno) {
        if (allAlnum(v)) v += U"单元";
      } else if (c == Component::kFloorno) {
        if (endsWith(v, U"楼") || endsWith(v, U"F")) v.back() = U'层';
        if (allAlnum(v)) v += U"层";
      } else if (c == Component::kRoomno) {
        if (endsWith(v, U"室")) v.back() = U'房';
        if (allAlnum(v)) v += U"房";
      } else if (c == Component::kRoadno || c == Component::kSubroadno) {
        if (allAlnum(v)) v += U"号";
      }
      break;
    }
    case Component::kCommunity:
      for (auto [from, to] :
           {std::pair<std::u32string_view, std::u32string_view>{U"社区居民委员会", U"社区"},
            {U"社区居委会", U"社区"},
            {U"居民委员会", U"社区"},
            {U"居委会", U"社区"},
            {U"村民委员会", U"村"},
            {U"村委会", U"村"}}) {
        if (endsWith(v, from)) {
          v.replace(v.size() - from.size(), from.size(), to);
          break;
        }
      }
      break;
    default:
      break;
  }
  return v;
}

Parser::Parser(std::shared_ptr<const Gazetteer> gazetteer, std::shared_ptr<const Tagger> tagger)
    : m_gazetteer(std::move(gazetteer)), m_tagger(std::move(tagger)) {
  if (!m_gazetteer) m_gazetteer = std::make_shared<Gazetteer>();
}

void Parser::tagCodePoints(std::u32string_view text, std::vector<std::uint8_t>& tags) const {
  std::vector<bool> byRule;
  tagWithRules(text, tags, byRule);
}

void Parser::tagWithRules(std::u32string_view text, std::vector<std::uint8_t>& tags,
                          std::vector<bool>& byRule, bool useTagger) const {
  thread_local TagScratch scratch;
  thread_local std::vector<std::uint8_t> keptTags;
  thread_local std::u32string kept;
  thread_local std::vector<std::uint32_t> keptAt;
  const std::u32string folded = foldText(text);
  tags.assign(folded.size(), kOutside);
  bool intersection = false;
  applyRules(folded, tags, intersection);
  byRule.assign(folded.size(), false);
  for (std::size_t i = 0; i < folded.size(); ++i) byRule[i] = tags[i] != kOutside;
  kept.clear();
  keptAt.clear();
  for (std::uint32_t i = 0; i < folded.size(); ++i) {
    if (tags[i] != kOutside) continue;
    kept.push_back(folded[i]);
    keptAt.push_back(i);
  }
  if (kept.empty()) return;
  if (m_tagger && useTagger) {
    m_tagger->tag(kept, *m_gazetteer, keptTags, scratch);
  } else {
    keptTags.assign(kept.size(), kOutside);
  }
  for (std::size_t k = 0; k < kept.size(); ++k) {
    std::uint8_t t = keptTags[k];
    // A span that the rules cut in two restarts with B.
    if (t != kOutside && !isBegin(t) && (k == 0 || keptAt[k - 1] + 1 != keptAt[k])) t = t - 1;
    tags[keptAt[k]] = t;
  }
}

core::Result<ParsedAddress> Parser::parse(std::string_view text, std::string_view context) const {
  return parseImpl(text, context, true);
}

core::Result<ParsedAddress> Parser::parseRulesOnly(std::string_view text,
                                                   std::string_view context) const {
  return parseImpl(text, context, false);
}

core::Result<ParsedAddress> Parser::parseImpl(std::string_view text, std::string_view context,
                                              bool useTagger) const {
  if (text.size() > kMaxAddressBytes) {
    return makeError(ErrorCode::kInvalidArgument,
                     "address of " + std::to_string(text.size()) + " bytes is too long (at most " +
                         std::to_string(kMaxAddressBytes) + ")",
                     std::string(context));
  }
  auto decoded = decodeUtf8(text, context);
  if (!decoded.ok()) return decoded.takeError();
  const std::u32string& cps = *decoded;
  std::vector<std::uint8_t> tags;
  std::vector<bool> byRule;
  tagWithRules(cps, tags, byRule, useTagger);
  ParsedAddress out;
  const std::u32string folded = foldText(cps);
  {
    std::u32string clean;
    for (std::size_t i = 0; i < folded.size(); ++i) {
      if (byRule[i] && isSetAside(tagComponent(tags[i]))) continue;
      const char32_t c = folded[i];
      if (c == ' ' || c == '\t' || c == ',' || c == U'，' || c == U'、' || c == U'。' || c == ';')
        continue;
      clean.push_back(c);
    }
    out.clean = arabicNumerals(clean);
  }
  for (const TagSpan& s : spansOf(tags)) {
    // Spans of only punctuation or blanks are separators, not components.
    bool content = false;
    for (std::uint32_t i = s.begin; i < s.end && !content; ++i) {
      const CharClass k = charClass(folded[i]);
      content = k != CharClass::kPunct && k != CharClass::kSpace;
    }
    if (!content && !isSetAside(s.component)) continue;
    ComponentSpan span;
    span.component = s.component;
    span.begin = s.begin;
    span.end = s.end;
    span.text = encodeUtf8(std::u32string_view(cps).substr(s.begin, s.end - s.begin));
    span.value = encodeUtf8(
        normalizeValue(s.component, std::u32string_view(folded).substr(s.begin, s.end - s.begin)));
    if (s.component == Component::kSubroad) out.intersection = out.intersection || false;
    out.spans.push_back(std::move(span));
  }
  // The intersection flag: the rules marked a subroad between two assists.
  for (std::size_t i = 1; i + 1 < out.spans.size(); ++i) {
    if (out.spans[i].component == Component::kSubroad &&
        out.spans[i - 1].component == Component::kAssist &&
        out.spans[i + 1].component == Component::kAssist) {
      out.intersection = true;
    }
  }
  if (useTagger) {
    for (const auto& s : out.spans) {
      if (!isSetAside(s.component)) out.normalized += s.value;
    }
  } else {
    out.normalized = encodeUtf8(out.clean);
  }
  return out;
}

core::Result<std::shared_ptr<const Tagger>> loadOrTrainTagger(const std::string& modelPath,
                                                              const std::string& naaclDir,
                                                              const Gazetteer& gazetteer) {
  if (!modelPath.empty()) {
    auto loaded = Tagger::load(modelPath);
    if (loaded.ok()) return std::make_shared<const Tagger>(std::move(*loaded));
  }
  auto train = readNaacl(naaclDir + "/train.txt");
  if (!train.ok()) return train.takeError();
  auto dev = readNaacl(naaclDir + "/dev.txt");
  if (!dev.ok()) return dev.takeError();
  std::vector<TaggedText> corpus = std::move(*train);
  corpus.insert(corpus.end(), std::make_move_iterator(dev->begin()),
                std::make_move_iterator(dev->end()));
  auto tagger = std::make_shared<const Tagger>(Tagger::train(corpus, gazetteer));
  if (!modelPath.empty()) {
    (void)tagger->save(modelPath);  // a cache: failing to write it only costs time next run
  }
  return std::shared_ptr<const Tagger>(tagger);
}

std::string defaultTaggerPath() {
  if (const char* env = std::getenv("GRIDTWIN_ADDRESS_MODEL"); env != nullptr && *env != 0)
    return env;
  std::filesystem::path dir;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != 0) {
    dir = xdg;
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != 0) {
    dir = std::filesystem::path(home) / ".cache";
  } else {
    dir = std::filesystem::temp_directory_path();
  }
  dir /= "gridtwin";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return (dir / "address_tagger_v1.bin").string();
}

}  // namespace gridtwin::address
