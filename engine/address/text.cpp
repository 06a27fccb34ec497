#include "address/text.h"

#include <opencc/opencc.h>

#include <mutex>
#include <unordered_map>

#include "ident/utf8.h"

namespace gridtwin::address {
namespace {

using core::ErrorCode;
using core::makeError;

// OpenCC converts phrases, but addresses need only the character level, and
// a flat table is a hundred times faster than opencc_convert_utf8 per call.
// So the table is derived once from OpenCC itself: every CJK character is
// converted on its own line and kept when it maps to exactly one other one.
struct TraditionalTable {
  std::unordered_map<char32_t, char32_t> map;
  std::unordered_map<char32_t, char32_t> inverse;
  std::string note;
  TraditionalTable() {
    opencc_t cc = opencc_open(OPENCC_DEFAULT_CONFIG_TRAD_TO_SIMP);
    if (cc == reinterpret_cast<opencc_t>(-1)) {
      note = std::string("OpenCC t2s.json not found: ") + opencc_error();
      return;
    }
    std::string in;
    std::u32string cps;
    auto addRange = [&](char32_t lo, char32_t hi) {
      for (char32_t c = lo; c <= hi; ++c) {
        cps.push_back(c);
        appendUtf8(in, c);
        in.push_back('\n');
      }
    };
    addRange(0x3400, 0x4DBF);
    addRange(0x4E00, 0x9FFF);
    char* out = opencc_convert_utf8(cc, in.data(), in.size());
    if (out == nullptr) {
      note = std::string("OpenCC conversion failed: ") + opencc_error();
      opencc_close(cc);
      return;
    }
    const std::string_view converted(out);
    std::size_t line = 0, start = 0;
    for (std::size_t i = 0; i <= converted.size() && line < cps.size(); ++i) {
      if (i < converted.size() && converted[i] != '\n') continue;
      auto decoded = decodeUtf8(converted.substr(start, i - start));
      if (decoded.ok() && decoded->size() == 1 && (*decoded)[0] != cps[line]) {
        map.emplace(cps[line], (*decoded)[0]);
      }
      ++line;
      start = i + 1;
    }
    opencc_convert_utf8_free(out);
    opencc_close(cc);
    for (char32_t c : cps) {
      const auto it = map.find(c);
      if (it != map.end()) inverse.emplace(it->second, c);  // lowest code point wins
    }
  }
};

const TraditionalTable& traditionalTable() {
  static const TraditionalTable table;  // thread-safe initialisation
  return table;
}

int numeralDigit(char32_t c) {
  switch (c) {
    case U'〇':
    case U'零':
      return 0;
    case U'一':
      return 1;
    case U'二':
    case U'两':
      return 2;
    case U'三':
      return 3;
    case U'四':
      return 4;
    case U'五':
      return 5;
    case U'六':
      return 6;
    case U'七':
      return 7;
    case U'八':
      return 8;
    case U'九':
      return 9;
    default:
      return -1;
  }
}

int numeralMultiplier(char32_t c) {
  switch (c) {
    case U'十':
      return 10;
    case U'百':
      return 100;
    case U'千':
      return 1000;
    default:
      return 0;
  }
}

bool isCountingSuffix(std::u32string_view rest) {
  if (rest.empty()) return false;
  switch (rest[0]) {
    case U'号':
    case U'栋':
    case U'幢':
    case U'座':
    case U'层':
    case U'楼':
    case U'室':
    case U'房':
    case U'户':
    case U'组':
    case U'弄':
    case U'期':
      return true;
    case U'单':
      return rest.size() > 1 && rest[1] == U'元';
    default:
      return false;
  }
}

}  // namespace

core::Result<std::u32string> decodeUtf8(std::string_view text, std::string_view context) {
  std::u32string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      out.push_back(b);
      ++i;
      continue;
    }
    const std::size_t n = ident::utf8SequenceLength(text, i);
    if (n == 0) {
      return makeError(ErrorCode::kInvalidUtf8,
                       "invalid UTF-8 at byte " + std::to_string(i) + " of the address",
                       std::string(context));
    }
    char32_t cp = b & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
    for (std::size_t k = 1; k < n; ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string encodeUtf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size() * 3);
  for (char32_t c : text) appendUtf8(out, c);
  return out;
}

char32_t foldChar(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c;
  if (c >= 0xFF01 && c <= 0xFF5E) return foldChar(c - 0xFF01 + 0x21);
  if (c == 0x3000) return U' ';
  if (c >= 0x3400 && c <= 0x9FFF) {
    const auto& map = traditionalTable().map;
    const auto it = map.find(c);
    if (it != map.end()) return it->second;
  }
  return c;
}

std::u32string foldText(std::u32string_view text) {
  std::u32string out(text);
  for (char32_t& c : out) c = foldChar(c);
  return out;
}

bool traditionalTableLoaded(std::string* note) {
  const auto& t = traditionalTable();
  if (note != nullptr) *note = t.note;
  return !t.map.empty();
}

CharClass charClass(char32_t c) {
  if (c >= '0' && c <= '9') return CharClass::kDigit;
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return CharClass::kLatin;
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return CharClass::kSpace;
  if (isChineseNumeral(c)) return CharClass::kChineseNumeral;
  if ((c >= 0x3400 && c <= 0x9FFF) || (c >= 0x20000 && c <= 0x2FFFF)) return CharClass::kHan;
  if (c < 0x80 || (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFFEF) ||
      (c >= 0x2000 && c <= 0x206F)) {
    return CharClass::kPunct;
  }
  return CharClass::kOther;
}

char32_t traditionalOf(char32_t c) {
  const auto& inv = traditionalTable().inverse;
  const auto it = inv.find(c);
  return it == inv.end() ? c : it->second;
}

std::u32string chineseNumeral(std::int64_t value) {
  static constexpr char32_t kDigits[] = U"零一二三四五六七八九";
  if (value < 0 || value >= 10000) return {};
  if (value < 10) return std::u32string(1, kDigits[value]);
  static constexpr char32_t kUnits[] = {U'千', U'百', U'十', 0};
  const int parts[] = {static_cast<int>(value / 1000), static_cast<int>(value / 100 % 10),
                       static_cast<int>(value / 10 % 10), static_cast<int>(value % 10)};
  std::u32string out;
  bool started = false, zero = false;
  for (int k = 0; k < 4; ++k) {
    if (parts[k] == 0) {
      zero = started;
      continue;
    }
    if (zero) out.push_back(U'零');
    zero = false;
    // 十二 rather than 一十二 when the number starts with ten.
    if (!(k == 2 && !started && parts[k] == 1)) out.push_back(kDigits[parts[k]]);
    if (kUnits[k] != 0) out.push_back(kUnits[k]);
    started = true;
  }
  return out;
}

bool isChineseNumeral(char32_t c) { return numeralDigit(c) >= 0 || numeralMultiplier(c) > 0; }

std::int64_t chineseNumeralValue(std::u32string_view s) {
  if (s.empty() || s.size() > 12) return -1;
  // Digit strings without multipliers ("二〇三") read digit by digit.
  bool plain = true;
  for (char32_t c : s) {
    if (numeralDigit(c) < 0 && numeralMultiplier(c) == 0) return -1;
    if (numeralMultiplier(c) > 0) plain = false;
  }
  std::int64_t value = 0;
  if (plain) {
    if (s.size() > 1 && s[0] == U'两') return -1;
    for (char32_t c : s) value = value * 10 + numeralDigit(c);
    return value;
  }
  std::int64_t section = 0, digit = -1;
  int lastMultiplier = 100000;
  for (char32_t c : s) {
    const int d = numeralDigit(c);
    if (d >= 0) {
      if (digit > 0) return -1;  // two digits in a row: "三四十"
      digit = d;
      continue;
    }
    const int m = numeralMultiplier(c);
    if (m >= lastMultiplier) return -1;  // "十百"
    lastMultiplier = m;
    section += (digit < 0 ? 1 : digit) * m;  // "十二": the 十 alone is 10
    digit = -1;
  }
  if (digit > 0) section += digit;
  value = section;
  return value;
}

std::u32string arabicNumerals(std::u32string_view s) {
  std::u32string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    if (!isChineseNumeral(s[i])) {
      out.push_back(s[i++]);
      continue;
    }
    std::size_t j = i;
    while (j < s.size() && isChineseNumeral(s[j])) ++j;
    const std::u32string_view run = s.substr(i, j - i);
    const std::int64_t v = chineseNumeralValue(run);
    // 一楼 is a floor, but 楼 after a single 一 in a name ("一楼盘") is rare
    // enough; 十/百/千 alone as a name ("十里") is guarded by the suffix rule.
    // Only a counting suffix makes a number: 第 alone does not (高第六巷 is a name).
    if (v >= 0 && isCountingSuffix(s.substr(j))) {
      for (char c : std::to_string(v)) out.push_back(static_cast<char32_t>(c));
    } else {
      out.append(run);
    }
    i = j;
  }
  return out;
}

}  // namespace gridtwin::address
