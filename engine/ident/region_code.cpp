#include "ident/region_code.h"

#include <algorithm>
#include <array>

namespace gridtwin::ident {

namespace {
constexpr std::array<int, 34> kProvinceCodes = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34,
                                                35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
                                                53, 54, 61, 62, 63, 64, 65, 71, 81, 82};
}  // namespace

bool isProvinceCode(int twoDigits) {
  return std::binary_search(kProvinceCodes.begin(), kProvinceCodes.end(), twoDigits);
}

bool isPlausibleRegionCode(std::string_view region6) {
  if (region6.size() != 6) return false;
  for (char c : region6) {
    if (c < '0' || c > '9') return false;
  }
  return isProvinceCode((region6[0] - '0') * 10 + (region6[1] - '0'));
}

}  // namespace gridtwin::ident
