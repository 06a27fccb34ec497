// The small district's 60 building models: 56 generated IFC4 files read back
// by IFC++ with the storeys and spaces that were written (one per floor, one
// per room address), every space linked to its room address by number and
// position; the 4 real files referenced from the shared data, their rooms
// reported unmatched rather than guessed.
#include <gtest/gtest.h>

#include <charconv>
#include <map>

#include "bim/anchor.h"
#include "bim/ifc_writer.h"
#include "bim/links.h"
#include "bim/model.h"
#include "model/columns.h"
#include "store/bim_table.h"
#include "store/gpkg_reader.h"

namespace gridtwin {
namespace {

TEST(BimDistrict, GeneratedModelsAreTheBuildingsFloorsAndRooms) {
  const std::string path = GRIDTWIN_SMALL_DISTRICT;
  auto rows = store::readBimModels(path);
  ASSERT_TRUE(rows.ok()) << rows.error().toString();
  ASSERT_EQ(rows->size(), 60u);
  store::OpenOptions options;
  options.useSnapshot = false;
  options.writeSnapshot = false;
  auto dataset = store::openDataset(path, options);
  ASSERT_TRUE(dataset.ok()) << dataset.error().toString();
  const auto& d = dataset->district;
  const auto& buildings = d.buildings();
  const auto& houses = d.houses();
  std::map<std::int64_t, std::size_t> rowOf;
  for (std::size_t i = 0; i < buildings.size(); ++i) rowOf[buildings.id[i]] = i;
  std::size_t generated = 0, shared = 0, spaces = 0;
  for (const auto& m : *rows) {
    SCOPED_TRACE("building " + std::to_string(m.buildingId) + " " + m.file);
    ASSERT_TRUE(rowOf.count(m.buildingId));
    const std::size_t row = rowOf[m.buildingId];
    if (m.source == "shared") {
      ++shared;
      EXPECT_TRUE(m.ifc.empty()) << "real files are referenced, not copied";
      auto model = bim::readModel(std::string(GRIDTWIN_SHARED_DATA) + "/" + m.file,
                                  bim::ReadOptions{false, 1e7});
      EXPECT_TRUE(model.ok()) << model.error().toString();
      continue;
    }
    ASSERT_EQ(m.source, "generated");
    ++generated;
    auto model = bim::parseIfc(m.ifc, m.file);
    ASSERT_TRUE(model.ok()) << model.error().toString();
    EXPECT_EQ(model->schema, "IFC4");
    EXPECT_EQ(model->storeys.size(), static_cast<std::size_t>(buildings.floors[row]));
    bim::LinkInput in;
    in.floors = buildings.floors[row];
    in.storeyHeight = buildings.heightM[row] / std::max<int>(1, buildings.floors[row]);
    for (std::size_t h = 0; h < houses.size(); ++h) {
      if (houses.building[h] != row) continue;
      bim::HouseRef ref;
      ref.houseId = houses.id[h];
      ref.unit = houses.unit[h];
      ref.floor = houses.floor[h];
      const std::string_view room = houses.room[h];
      std::from_chars(room.data(), room.data() + room.size(), ref.room);
      in.multiUnit = in.multiUnit || ref.unit > 1;
      in.houses.push_back(ref);
    }
    EXPECT_EQ(model->spaces.size(), in.houses.size()) << "one space per room address";
    // Position: the building's footprint in the model's frame.
    const bim::Anchor anchor{m.anchorX, m.anchorY, m.anchorZ, m.rotationDeg, m.scale};
    bim::Box3 modelPlan;
    for (const auto& mesh : model->meshes) {
      if (model->materials[static_cast<std::size_t>(mesh.material)].name != "IfcSlab") continue;
      for (std::size_t k = 0; k + 2 < mesh.positions.size(); k += 3) {
        modelPlan.expand(bim::Vec3{mesh.positions[k], mesh.positions[k + 1], 0});
      }
    }
    ASSERT_FALSE(modelPlan.empty());
    in.footprint = modelPlan;
    const bim::Links links = bim::linkRooms(*model, in);
    for (std::size_t s = 0; s < links.storeys.size(); ++s) {
      EXPECT_EQ(links.storeys[s].floor, static_cast<int>(s) + 1) << links.storeys[s].problem;
    }
    for (auto u : links.unmatchedSpaces) ADD_FAILURE() << links.spaces[u].problem;
    EXPECT_TRUE(links.housesWithoutSpace.empty());
    // The model lands on its building: its plan centre is the anchor.
    const bim::Vec3 c = bim::place(anchor, model->bounds,
                                   bim::Vec3{(modelPlan.min.x + modelPlan.max.x) / 2,
                                             (modelPlan.min.y + modelPlan.max.y) / 2, 0});
    EXPECT_NEAR(c.x, m.anchorX, 0.01);
    EXPECT_NEAR(c.y, m.anchorY, 0.01);
    spaces += model->spaces.size();
  }
  EXPECT_EQ(shared, 4u);
  EXPECT_EQ(generated, 56u);
  EXPECT_GT(spaces, 56u * 4);
}

}  // namespace
}  // namespace gridtwin
