// The fast PointSearch and Locator: thin adapters over gridtwin::index.
// Built only when the index module is (engine/query/CMakeLists.txt).
#include "index/entity_index.h"
#include "index/grid_locator.h"
#include "index/source_shortcut.h"
#include "query/detail/select_parts.h"
#include "query/spatial.h"

namespace gridtwin::query {
namespace {

class IndexedSearch final : public PointSearch {
 public:
  explicit IndexedSearch(index::EntityIndex idx) : m_index(std::move(idx)) {}

  // The query layer has already rejected non-finite coordinates and invalid
  // polygons, so the index's own errors cannot happen here; should one, the
  // answer is empty rather than wrong.
  void box(const geo::Box& b, std::vector<std::uint32_t>& hits) const override {
    (void)m_index.box(b, hits);
  }
  core::Result<void> polygon(const geo::Polygon& p,
                             std::vector<std::uint32_t>& hits) const override {
    return m_index.polygon(p, hits);
  }
  void radius(const geo::Point& c, double r, std::vector<std::uint32_t>& hits) const override {
    (void)m_index.radius(c, r, hits);
  }
  void nearest(const geo::Point& q, std::size_t k, std::vector<Neighbour>& out) const override {
    m_scratch.clear();
    if (!m_index.nearest(q, k, m_scratch)) return;
    for (const auto& n : m_scratch) out.push_back({n.row, n.distance});
  }

 private:
  index::EntityIndex m_index;
  // Scratch for nearest(): thread_local, since one search is shared by any
  // number of reader threads and nearest() must not allocate per call.
  static thread_local std::vector<index::EntityIndex::Neighbour> m_scratch;
};

thread_local std::vector<index::EntityIndex::Neighbour> IndexedSearch::m_scratch;

class IndexedLocator final : public Locator {
 public:
  explicit IndexedLocator(index::GridLocator locator) : m_locator(std::move(locator)) {}
  std::int32_t find(const geo::Point& xy) const override {
    const std::int32_t g = m_locator.find(xy);
    return g < 0 ? kOutside : g;
  }
  std::unique_ptr<SourceLocator> sourceLocator(const crs::Transformer& toMetric,
                                               const geo::Box& sourceBox) const override;

 private:
  index::GridLocator m_locator;
};

class IndexedSourceLocator final : public SourceLocator {
 public:
  explicit IndexedSourceLocator(index::SourceShortcut shortcut) : m_shortcut(std::move(shortcut)) {}
  std::int32_t find(const geo::Point& p) const override {
    const std::int32_t g = m_shortcut.find(p);
    return g == index::SourceShortcut::kUndecided ? kUndecided : g < 0 ? kOutside : g;
  }

 private:
  index::SourceShortcut m_shortcut;
};

std::unique_ptr<SourceLocator> IndexedLocator::sourceLocator(const crs::Transformer& toMetric,
                                                             const geo::Box& sourceBox) const {
  auto s = index::SourceShortcut::build(m_locator, toMetric, sourceBox);
  if (!s) return nullptr;
  return std::make_unique<IndexedSourceLocator>(std::move(*s));
}

}  // namespace

bool haveIndex() { return true; }

core::Result<std::unique_ptr<PointSearch>> makeIndexedSearch(std::span<const geo::Point> xy) {
  auto idx = index::EntityIndex::build(xy);
  if (!idx) return idx.takeError();
  return std::unique_ptr<PointSearch>(std::make_unique<IndexedSearch>(std::move(*idx)));
}

core::Result<std::unique_ptr<Locator>> makeIndexedLocator(const model::District& district) {
  auto locator = index::GridLocator::build(district);
  if (!locator) return locator.takeError();
  return std::unique_ptr<Locator>(std::make_unique<IndexedLocator>(std::move(*locator)));
}

bool detail::searchWithinRadius(const Twin& twin, const geo::Point& c, double r,
                                const geo::Point& p) {
  return twin.indexed() ? index::EntityIndex::withinRadius(p, c, r) : withinRadius(c, r, p);
}

}  // namespace gridtwin::query
