#include "address/component.h"

#include <array>
#include <cctype>

namespace gridtwin::address {
namespace {
constexpr std::array<std::string_view, kComponentCount> kNames = {
    "country",   "prov",      "city",      "district",      "devzone",   "town",
    "community", "road",      "subroad",   "roadno",        "subroadno", "poi",
    "subpoi",    "houseno",   "cellno",    "floorno",       "roomno",    "person",
    "assist",    "redundant", "otherinfo", "village_group", "direction", "distance"};
}  // namespace

std::string_view componentName(Component c) { return kNames[static_cast<std::size_t>(c)]; }

std::optional<Component> parseComponent(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    const std::string_view n = kNames[i];
    if (n.size() != name.size()) continue;
    bool same = true;
    for (std::size_t k = 0; k < n.size() && same; ++k) {
      same = std::tolower(static_cast<unsigned char>(name[k])) == n[k];
    }
    if (same) return static_cast<Component>(i);
  }
  return std::nullopt;
}

}  // namespace gridtwin::address
