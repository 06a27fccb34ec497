#pragma once
// Plausibility of GB/T 2260 administrative division codes as they appear inside
// resident ID numbers and unified social credit codes. Pure, thread-safe.
#include <string_view>

namespace gridtwin::ident {

// Whether two digits are a GB/T 2260 province-level code (11 Beijing … 65
// Xinjiang, 71 Taiwan, 81 Hong Kong, 82 Macao).
bool isProvinceCode(int twoDigits);

// Whether region6 is six ASCII digits whose first two are a province code.
// Deliberately no finer check: the full GB/T 2260 table changes every year and
// old IDs keep codes of counties that no longer exist.
bool isPlausibleRegionCode(std::string_view region6);

}  // namespace gridtwin::ident
