// service::StaticLayerCache (service/static_layer_cache.h) alone: only the
// static layers' bytes are kept, merge puts them in a live render's places
// and refuses a list of other layers, LRU by bytes, 0 keeps nothing.
#include "static_layer_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

namespace svc = gridtwin::service;
namespace tiles = gridtwin::tiles;

// grids (static), events_reported (live), buildings (static), as a full
// render gives them.
std::vector<tiles::RenderedLayer> fullRender(const std::string& tag) {
  return {{"grids", false, true, "G" + tag, 1},
          {"events_reported", true, true, "E" + tag, 2},
          {"buildings", false, true, std::string(100, 'B'), 3}};
}

// The same layers from LayerPart::kLive: the static ones not drawn.
std::vector<tiles::RenderedLayer> liveRender(const std::string& tag) {
  return {{"grids", false, false, "", 0},
          {"events_reported", true, true, "E" + tag, 2},
          {"buildings", false, false, "", 0}};
}

TEST(StaticLayerCache, KeepsOnlyTheStaticLayersAndMergesThemIntoALiveRender) {
  svc::StaticLayerCache cache(1 << 20);
  EXPECT_EQ(cache.find("k"), nullptr);
  cache.insert("k", fullRender("1"));
  const auto held = cache.find("k");
  ASSERT_NE(held, nullptr);
  ASSERT_EQ(held->size(), 3u);
  EXPECT_EQ((*held)[0].mvt, "G1");
  EXPECT_TRUE((*held)[1].mvt.empty()) << "a live layer's bytes were kept";
  EXPECT_FALSE((*held)[1].rendered);
  auto live = liveRender("2");
  ASSERT_TRUE(svc::StaticLayerCache::merge(*held, live));
  EXPECT_EQ(tiles::TileSource::join(live).mvt, "G1E2" + std::string(100, 'B'));
  const auto s = cache.stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.entries, 1u);
}

TEST(StaticLayerCache, MergeRefusesAListOfOtherLayers) {
  const auto held = fullRender("1");
  auto other = liveRender("2");
  other[2].name = "roads";
  EXPECT_FALSE(svc::StaticLayerCache::merge(held, other));
  EXPECT_EQ(other[0].mvt, "") << "touched though refused";
  auto shorter = liveRender("2");
  shorter.pop_back();
  EXPECT_FALSE(svc::StaticLayerCache::merge(held, shorter));
  // A static layer drawn in the live list, or not held: refused too.
  auto drawn = liveRender("2");
  drawn[0] = {"grids", false, true, "G2", 1};
  EXPECT_FALSE(svc::StaticLayerCache::merge(held, drawn));
}

TEST(StaticLayerCache, LeastRecentlyUsedGoesFirstWithinTheBound) {
  svc::StaticLayerCache probe(1 << 20);
  probe.insert("a", fullRender("1"));
  const std::size_t one = probe.stats().bytes;
  svc::StaticLayerCache cache(2 * one + one / 2);  // two entries fit, not three
  cache.insert("a", fullRender("1"));
  cache.insert("b", fullRender("1"));
  ASSERT_NE(cache.find("a"), nullptr);  // a is now the most recent
  cache.insert("c", fullRender("1"));
  EXPECT_NE(cache.find("a"), nullptr);
  EXPECT_EQ(cache.find("b"), nullptr);
  EXPECT_NE(cache.find("c"), nullptr);
  EXPECT_LE(cache.stats().bytes, 2 * one + one / 2);
  EXPECT_EQ(cache.stats().evicted, 1u);
  svc::StaticLayerCache off(0);
  off.insert("a", fullRender("1"));
  EXPECT_EQ(off.find("a"), nullptr);
  EXPECT_EQ(off.stats().entries, 0u);
}

}  // namespace
