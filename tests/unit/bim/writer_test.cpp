// Our IFC4 writer, read back by IFC++: the storeys and spaces written are
// the ones read, every space names its room.
#include <gtest/gtest.h>

#include "bim/ifc_writer.h"
#include "bim/links.h"

#include <algorithm>

namespace gridtwin::bim {
namespace {

BuildingSpec sample() {
  BuildingSpec b;
  b.id = 4711;
  b.name = "禅城 7号楼";
  b.footprint = {{-10, -6, 0}, {10, -6, 0}, {10, 6, 0}, {-10, 6, 0}, {-10, -6, 0}};
  b.floors = 4;
  b.storeyHeight = 3.0;
  b.multiUnit = true;
  for (int f = 1; f <= 4; ++f) {
    for (int u = 1; u <= 2; ++u) {
      for (int n = 1; n <= 2; ++n) {
        RoomSpec r;
        r.unit = u;
        r.floor = f;
        r.room = f * 100 + n;
        r.addressCode = "44060410021700012" + std::to_string(u) + std::to_string(r.room);
        b.rooms.push_back(r);
      }
    }
  }
  b.address.lines = {"季华路 12号"};
  b.address.town = "佛山市";
  b.address.region = "广东省";
  b.address.country = "CN";
  b.latitude = 23.0215;
  b.longitude = 113.1214;
  return b;
}

TEST(IfcWriter, ReadsBackWithItsStoreysAndSpaces) {
  const BuildingSpec b = sample();
  const std::string text = writeIfc(b);
  EXPECT_EQ(text, writeIfc(b)) << "deterministic";
  auto model = parseIfc(text, "building_4711.ifc");
  ASSERT_TRUE(model.ok()) << model.error().toString();
  EXPECT_EQ(model->schema, "IFC4");
  EXPECT_EQ(model->name, b.name);
  ASSERT_EQ(model->storeys.size(), 4u);
  for (int f = 0; f < 4; ++f) {
    EXPECT_EQ(model->storeys[static_cast<std::size_t>(f)].name, "F" + std::to_string(f + 1));
    EXPECT_NEAR(model->storeys[static_cast<std::size_t>(f)].elevation, f * 3.0, 1e-9);
  }
  ASSERT_EQ(model->spaces.size(), b.rooms.size());
  for (const RoomSpec& r : b.rooms) {
    const std::string number = spaceNumber(r, true);
    const Space* found = nullptr;
    for (const auto& s : model->spaces) {
      if (s.number == number && s.storey == r.floor - 1) found = &s;
    }
    ASSERT_NE(found, nullptr) << number;
    EXPECT_EQ(found->name, r.addressCode);
    ASSERT_FALSE(found->bounds.empty());
    EXPECT_GE(found->bounds.min.z, (r.floor - 1) * 3.0 - 1e-6);
    EXPECT_LE(found->bounds.max.z, r.floor * 3.0 + 1e-6);
    EXPECT_GE(found->bounds.min.x, -10.0);
    EXPECT_LE(found->bounds.max.x, 10.0);
  }
  EXPECT_EQ(model->elementCounts["IfcSlab"], 4u);
  EXPECT_EQ(model->elementCounts["IfcWall"], 16u);
  EXPECT_EQ(model->elementCounts["IfcWindow"], 16u);
  ASSERT_TRUE(model->address.has_value());
  EXPECT_EQ(model->address->town, "佛山市");
  EXPECT_NEAR(model->georeference.latitude, 23.0215, 1e-6);
  EXPECT_NEAR(model->bounds.min.x, -10.0, 1e-3);
  EXPECT_NEAR(model->bounds.max.y, 6.0, 1e-3);
  EXPECT_NEAR(model->bounds.max.z, 12.0, 1e-3);
}

}  // namespace
}  // namespace gridtwin::bim

namespace gridtwin::bim {
namespace {

LinkInput linkInputOf(const BuildingSpec& b) {
  LinkInput in;
  in.floors = b.floors;
  in.storeyHeight = b.storeyHeight;
  in.multiUnit = b.multiUnit;
  std::int64_t id = 100;
  for (const auto& r : b.rooms)
    in.houses.push_back(HouseRef{++id, r.unit, r.floor, r.room, r.addressCode});
  for (const auto& p : b.footprint) in.footprint.expand(p);
  return in;
}

TEST(Links, EverySpaceOfAGeneratedModelFindsItsRoom) {
  const BuildingSpec b = sample();
  auto model = parseIfc(writeIfc(b), "b.ifc");
  ASSERT_TRUE(model.ok()) << model.error().toString();
  const LinkInput in = linkInputOf(b);
  const Links links = linkRooms(*model, in);
  for (std::size_t i = 0; i < links.storeys.size(); ++i) {
    EXPECT_EQ(links.storeys[i].floor, static_cast<int>(i) + 1) << links.storeys[i].problem;
  }
  EXPECT_TRUE(links.unmatchedSpaces.empty());
  EXPECT_TRUE(links.housesWithoutSpace.empty());
  for (std::size_t i = 0; i < model->spaces.size(); ++i) {
    ASSERT_GE(links.spaces[i].house, 0) << links.spaces[i].problem;
    const HouseRef& h = in.houses[static_cast<std::size_t>(links.spaces[i].house)];
    EXPECT_EQ(model->spaces[i].name, h.addressCode);
  }
}

TEST(Links, WrongRoomsAreReportedNotGuessed) {
  BuildingSpec b = sample();
  LinkInput in = linkInputOf(b);
  // The district lost room 2-402; the model still has it.
  in.houses.erase(std::remove_if(in.houses.begin(), in.houses.end(),
                                 [](const HouseRef& h) { return h.unit == 2 && h.room == 402; }),
                  in.houses.end());
  // Room 1-301 moved to floor 2 in the district.
  for (auto& h : in.houses) {
    if (h.unit == 1 && h.room == 301) h.floor = 2;
  }
  auto model = parseIfc(writeIfc(b), "b.ifc");
  ASSERT_TRUE(model.ok());
  const Links links = linkRooms(*model, in);
  ASSERT_EQ(links.unmatchedSpaces.size(), 2u);
  std::string problems;
  for (auto i : links.unmatchedSpaces) problems += links.spaces[i].problem + "\n";
  EXPECT_NE(problems.find("no room address 2-402"), std::string::npos) << problems;
  EXPECT_NE(problems.find("room 1-301 is on floor 2 but the space is on floor 3"),
            std::string::npos)
      << problems;
  ASSERT_EQ(links.housesWithoutSpace.size(), 1u);
  // A space outside the footprint.
  in = linkInputOf(b);
  in.footprint = Box3{};
  in.footprint.expand(Vec3{100, 100, 0});
  in.footprint.expand(Vec3{120, 110, 0});
  const Links far = linkRooms(*model, in);
  EXPECT_EQ(far.unmatchedSpaces.size(), model->spaces.size());
  EXPECT_NE(far.spaces[0].problem.find("outside the building's footprint"), std::string::npos);
}

}  // namespace
}  // namespace gridtwin::bim
