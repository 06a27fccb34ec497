#include "bim/links.h"

#include <cmath>
#include <map>
#include <optional>

namespace gridtwin::bim {

namespace {

// The integers in `s` (ASCII digits).
std::vector<long> integers(const std::string& s) {
  std::vector<long> out;
  long v = 0;
  bool in = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      if (v < 100000000) v = v * 10 + (c - '0');
      in = true;
    } else if (in) {
      out.push_back(v);
      v = 0;
      in = false;
    }
  }
  if (in) out.push_back(v);
  return out;
}

}  // namespace

Links linkRooms(const Model& model, const LinkInput& input) {
  Links links;
  links.storeys.resize(model.storeys.size());
  for (std::size_t i = 0; i < model.storeys.size(); ++i) {
    const Storey& st = model.storeys[i];
    StoreyLink& link = links.storeys[i];
    std::optional<int> byNumber, byPosition;
    const auto nums = integers(st.name);
    if (nums.size() == 1 && nums[0] >= 1 && nums[0] <= input.floors) {
      byNumber = static_cast<int>(nums[0]);
    }
    if (st.hasElevation && input.storeyHeight > 0) {
      const long f = std::lround(st.elevation / input.storeyHeight) + 1;
      if (f >= 1 && f <= input.floors) byPosition = static_cast<int>(f);
    }
    if (byNumber && byPosition) {
      if (*byNumber == *byPosition) {
        link.floor = *byNumber;
      } else {
        link.problem = "its name says floor " + std::to_string(*byNumber) + ", its elevation " +
                       std::to_string(st.elevation) + " m says floor " +
                       std::to_string(*byPosition);
      }
    } else if (byPosition) {
      link.floor = *byPosition;
      link.problem = "matched by elevation only (the name has no floor number)";
    } else if (byNumber) {
      link.problem = "no elevation to confirm floor " + std::to_string(*byNumber);
    } else {
      link.problem = "neither its name nor its elevation gives one of the building's " +
                     std::to_string(input.floors) + " floors";
    }
  }
  // Houses by (unit, room).
  std::map<std::pair<int, int>, std::size_t> houseOf;
  for (std::size_t h = 0; h < input.houses.size(); ++h) {
    houseOf.emplace(std::make_pair(input.houses[h].unit, input.houses[h].room), h);
  }
  std::vector<int> taken(input.houses.size(), -1);
  links.spaces.resize(model.spaces.size());
  for (std::size_t i = 0; i < model.spaces.size(); ++i) {
    const Space& sp = model.spaces[i];
    SpaceLink& link = links.spaces[i];
    auto unmatched = [&](std::string why) {
      link.problem = std::move(why);
      links.unmatchedSpaces.push_back(i);
    };
    const auto nums = integers(sp.number);
    int unit = 1, room = 0;
    if (input.multiUnit && nums.size() == 2) {
      unit = static_cast<int>(nums[0]);
      room = static_cast<int>(nums[1]);
    } else if (!input.multiUnit && nums.size() == 1) {
      room = static_cast<int>(nums[0]);
    } else {
      unmatched("its number '" + sp.number + "' is not a room number of this building" +
                (input.multiUnit ? " (unit-room, e.g. 2-301)" : " (e.g. 301)"));
      continue;
    }
    const auto it = houseOf.find({unit, room});
    if (it == houseOf.end()) {
      unmatched("no room address " + sp.number + " in this building");
      continue;
    }
    const HouseRef& house = input.houses[it->second];
    const int floor = sp.storey >= 0 ? links.storeys[static_cast<std::size_t>(sp.storey)].floor : 0;
    if (floor != house.floor) {
      unmatched("room " + sp.number + " is on floor " + std::to_string(house.floor) +
                " but the space is on " +
                (floor > 0 ? "floor " + std::to_string(floor) : std::string("no matched storey")));
      continue;
    }
    if (!input.footprint.empty()) {
      if (sp.bounds.empty()) {
        unmatched("the space has no geometry to place it in the building");
        continue;
      }
      const double cx = (sp.bounds.min.x + sp.bounds.max.x) / 2;
      const double cy = (sp.bounds.min.y + sp.bounds.max.y) / 2;
      const double slack = 0.5;
      if (cx < input.footprint.min.x - slack || cx > input.footprint.max.x + slack ||
          cy < input.footprint.min.y - slack || cy > input.footprint.max.y + slack) {
        unmatched("the space lies outside the building's footprint");
        continue;
      }
    }
    if (taken[it->second] >= 0) {
      unmatched("room " + sp.number + " is already the space " + std::to_string(taken[it->second]));
      continue;
    }
    taken[it->second] = static_cast<int>(i);
    link.house = static_cast<int>(it->second);
  }
  for (std::size_t h = 0; h < input.houses.size(); ++h) {
    if (taken[h] < 0) links.housesWithoutSpace.push_back(h);
  }
  return links;
}

}  // namespace gridtwin::bim
