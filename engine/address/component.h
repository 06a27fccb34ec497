#pragma once
// Address components, named as the NAACL-2019 labelled set names them
// (DESIGN.md, "Interfaces"), plus village_group, direction and distance.
// The numbering is part of the tagger's model file: append, never renumber.
#include <cstdint>
#include <optional>
#include <string_view>

namespace gridtwin::address {

enum class Component : std::uint8_t {
  kCountry,
  kProv,
  kCity,
  kDistrict,
  kDevzone,
  kTown,
  kCommunity,
  kRoad,
  kSubroad,
  kRoadno,
  kSubroadno,
  kPoi,
  kSubpoi,
  kHouseno,
  kCellno,
  kFloorno,
  kRoomno,
  kPerson,
  kAssist,
  kRedundant,  // also noise set aside: "(电联)", phone numbers, courier remarks
  kOtherinfo,
  kVillageGroup,  // 村民小组: "3组", "第五村民小组"
  kDirection,     // "东北方向", "对面"
  kDistance,      // "50米"
};
inline constexpr std::size_t kComponentCount = 24;

// "prov", "village_group", ...: the label spelling.
std::string_view componentName(Component c);
// The inverse, case-insensitive ("devZone" and "subRoad" of the labelled set
// are accepted); nullopt for an unknown name.
std::optional<Component> parseComponent(std::string_view name);

}  // namespace gridtwin::address
