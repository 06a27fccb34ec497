// Map pictures are tested as pictures: each is drawn from the synthetic
// district (tests/unit/query/synthetic_district.h: 16 grids, 2 streets,
// fixed seed) at 256 x 256 and compared pixel by pixel with a committed
// control image in tests/report/control/.
//
// Tolerance: a pixel matches when no channel differs by more than
// kChannelTolerance, and at most kDifferingPixels pixels (0.5 %) may fail
// to match. Geometry is drawn by Qt's raster engine, which is exact and
// deterministic; the labels are glyphs from WenQuanYi Micro Hei rasterised
// by FreeType, whose antialiasing (gamma, hinting, LCD filtering) may move
// edge pixels of text by a few levels, or a whole pixel, between FreeType
// and Qt versions. The labels cover a few hundred edge pixels of 65,536;
// anything larger (a missing label, a moved road, a wrong colour, a tofu box
// for a missing CJK glyph) changes far more pixels than that.
//
// GRIDTWIN_UPDATE_CONTROL_IMAGES=1 rewrites the control images instead
// (scripts/update-control-images): do it only for an intended change of
// the pictures, and look at them before committing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "query/access.h"
#include "query/query.h"
#include "query/twin.h"
#include "report/map.h"
#include "unit/query/synthetic_district.h"

namespace gridtwin::report {
namespace {

constexpr int kSize = 256;
constexpr int kChannelTolerance = 24;
constexpr std::size_t kDifferingPixels = kSize * kSize / 200;  // 0.5 %

const std::filesystem::path kControlDir = GRIDTWIN_CONTROL_DIR;
const std::filesystem::path kOutDir = std::filesystem::path(GRIDTWIN_BINARY_DIR) / "tests/report";

const query::test::Synthetic& synthetic() {
  static const query::test::Synthetic s = query::test::syntheticDistrict(7, 6);
  return s;
}

bool updating() {
  const char* v = std::getenv("GRIDTWIN_UPDATE_CONTROL_IMAGES");
  return v != nullptr && std::string(v) == "1";
}

// The pixels that differ beyond the channel tolerance.
std::size_t differing(const Picture& a, const Picture& b) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < a.rgba.size(); i += 4) {
    for (std::size_t k = 0; k < 4; ++k) {
      if (std::abs(int(a.rgba[i + k]) - int(b.rgba[i + k])) > kChannelTolerance) {
        ++n;
        break;
      }
    }
  }
  return n;
}

// Compares `got` with the control image `name`; on a mismatch writes the
// picture drawn and a difference mask beside the build for a look.
void expectMatchesControl(const Picture& got, const std::string& name) {
  const auto control = kControlDir / name;
  if (updating()) {
    auto w = writePng(got, control.string());
    ASSERT_TRUE(w) << w.error().toString();
    GTEST_SKIP() << "rewrote " << control;
  }
  auto want = readPng(control.string());
  ASSERT_TRUE(want) << want.error().toString() << " (scripts/update-control-images makes it)";
  ASSERT_EQ(got.width, want->width) << name;
  ASSERT_EQ(got.height, want->height) << name;
  const std::size_t n = differing(got, *want);
  if (n > kDifferingPixels) {
    std::filesystem::create_directories(kOutDir);
    Picture mask = got;
    for (std::size_t i = 0; i < mask.rgba.size(); i += 4) {
      bool same = true;
      for (std::size_t k = 0; k < 4; ++k) {
        same = same && std::abs(int(got.rgba[i + k]) - int(want->rgba[i + k])) <= kChannelTolerance;
      }
      const std::uint8_t v = same ? 255 : 0;
      mask.rgba[i] = 255;
      mask.rgba[i + 1] = mask.rgba[i + 2] = v;
      mask.rgba[i + 3] = 255;
    }
    (void)writePng(got, (kOutDir / ("got-" + name)).string());
    (void)writePng(mask, (kOutDir / ("diff-" + name)).string());
  }
  EXPECT_LE(n, kDifferingPixels) << name << ": " << n << " of " << kSize * kSize
                                 << " pixels differ by more than " << kChannelTolerance
                                 << " in a channel; see " << (kOutDir / ("got-" + name)) << " and "
                                 << (kOutDir / ("diff-" + name));
}

TEST(MapPictures, DistrictMapMatchesItsControlImage) {
  ASSERT_TRUE(canDraw());
  DistrictMapInput in;
  in.district = &synthetic().district;
  in.now = query::kReferenceNow;
  in.hours = 24 * 30;
  in.size = kSize;
  auto got = drawDistrictMap(in);
  ASSERT_TRUE(got) << got.error().toString();
  EXPECT_EQ(got->width, kSize);
  EXPECT_EQ(got->height, kSize);
  expectMatchesControl(*got, "district-256.png");
}

TEST(MapPictures, GridMapMatchesItsControlImage) {
  auto synth = query::test::syntheticDistrict(7, 6);
  auto twin = query::Twin::build(std::move(synth.district), std::move(synth.staff));
  ASSERT_TRUE(twin) << twin.error().toString();
  auto access = query::makeAccess((*twin)->district(), query::Role::kDistrict, "");
  ASSERT_TRUE(access) << access.error().toString();
  GridMapInput in;
  in.district = &(*twin)->district();
  in.grid = 5;
  in.size = kSize;
  in.twin = twin->get();
  in.access = &*access;
  auto got = drawGridMap(in);
  ASSERT_TRUE(got) << got.error().toString();
  expectMatchesControl(*got, "grid-5-256.png");
}

// The comparison is not blind: another grid's picture, or the same one
// without its labels' names, is far outside the tolerance.
TEST(MapPictures, TheComparisonTellsDifferentPicturesApart) {
  GridMapInput in;
  in.district = &synthetic().district;
  in.size = kSize;
  in.grid = 5;
  auto five = drawGridMap(in);
  in.grid = 6;
  auto six = drawGridMap(in);
  ASSERT_TRUE(five && six);
  EXPECT_GT(differing(*five, *six), kDifferingPixels);
  in.grid = 5;
  auto again = drawGridMap(in);
  ASSERT_TRUE(again);
  EXPECT_EQ(differing(*five, *again), 0u) << "drawing is deterministic within a run";
}

TEST(MapPictures, PngRoundTripsExactly) {
  Picture p;
  p.width = 3;
  p.height = 2;
  p.rgba = {255, 0,  0,  255, 0,  255, 0,  255, 0,  0,  255, 255,
            10,  20, 30, 255, 40, 50,  60, 255, 70, 80, 90,  255};
  std::filesystem::create_directories(kOutDir);
  const auto path = (kOutDir / "roundtrip.png").string();
  ASSERT_TRUE(writePng(p, path));
  auto back = readPng(path);
  ASSERT_TRUE(back) << back.error().toString();
  EXPECT_EQ(back->width, 3);
  EXPECT_EQ(back->height, 2);
  EXPECT_EQ(back->rgba, p.rgba);
  auto missing = readPng((kOutDir / "no-such.png").string());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().toString().find("no-such.png"), std::string::npos);
  auto unwritable = writePng(p, "/nonexistent-dir/x.png");
  ASSERT_FALSE(unwritable);
  EXPECT_NE(unwritable.error().toString().find("/nonexistent-dir/x.png"), std::string::npos);
}

}  // namespace
}  // namespace gridtwin::report
