#include "app/finder.h"

#include "address/gazetteer.h"
#include "address/matcher.h"
#include "address/registry.h"

namespace gridtwin::viewer {

Finder::~Finder() = default;

core::Result<std::shared_ptr<const Finder>> Finder::build(std::shared_ptr<const query::Twin> twin) {
  auto registry = address::Registry::build(twin->district());
  if (!registry) return registry.error();
  const address::Gazetteer divisions;
  auto matcher = std::make_shared<const address::Matcher>(
      *registry, address::makeRegistryParser(**registry, divisions, nullptr));
  std::shared_ptr<Finder> f(new Finder);
  f->m_twin = std::move(twin);
  f->m_geocoder = std::make_unique<address::Geocoder>(matcher);
  return std::shared_ptr<const Finder>(std::move(f));
}

core::Result<Found> Finder::find(std::string_view text, const query::Access& access) const {
  const auto& d = m_twin->district();
  const auto& names = d.entities().name;
  auto entity = [&](std::uint32_t e) {
    Found f;
    f.what = Found::What::kEntity;
    f.row = e;
    f.label = std::string(names[e]);
    f.outsideScope = !access.scope.contains(m_twin->gridOf(model::Kind::kEntity, e));
    if (!f.outsideScope) {
      f.at = m_twin->points(model::Kind::kEntity)[e];
      f.building = m_twin->buildingOf(model::Kind::kEntity, e);
    }
    return f;
  };
  if (text.empty()) {
    return core::makeError(core::ErrorCode::kNotFound, "nothing to search for", "search");
  }
  // Exact names first, in scope before out of it; then names containing it.
  std::int64_t outside = -1;
  for (std::uint32_t e = 0; e < names.size(); ++e) {
    if (names[e] != text) continue;
    if (access.scope.contains(m_twin->gridOf(model::Kind::kEntity, e))) return entity(e);
    if (outside < 0) outside = e;
  }
  for (std::uint32_t e = 0; e < names.size() && outside < 0; ++e) {
    if (std::string_view(names[e]).find(text) == std::string_view::npos) continue;
    if (access.scope.contains(m_twin->gridOf(model::Kind::kEntity, e))) return entity(e);
  }
  auto g = m_geocoder->geocode(text, "search");
  if (g && g->match.address >= 0 &&
      (g->match.status == address::MatchStatus::kMatched ||
       g->match.status == address::MatchStatus::kPartial)) {
    const auto row = static_cast<std::uint32_t>(g->match.address);
    Found f;
    f.what = Found::What::kAddress;
    f.row = row;
    f.label = g->standardText;
    f.outsideScope = !access.scope.contains(m_twin->gridOf(model::Kind::kAddress, row));
    if (!f.outsideScope) {
      f.at = m_twin->points(model::Kind::kAddress)[row];
      f.building = m_twin->buildingOf(model::Kind::kAddress, row);
    }
    return f;
  }
  if (outside >= 0) return entity(static_cast<std::uint32_t>(outside));
  return core::makeError(
      core::ErrorCode::kNotFound,
      "no grid, community, street, legal entity or address matches '" + std::string(text) + "'",
      "search");
}

std::vector<std::string> Finder::completions(const query::Access& access) const {
  std::vector<std::string> out;
  const auto& names = m_twin->district().entities().name;
  for (std::uint32_t e = 0; e < names.size(); ++e) {
    if (access.scope.contains(m_twin->gridOf(model::Kind::kEntity, e))) {
      out.emplace_back(names[e]);
    }
  }
  return out;
}

}  // namespace gridtwin::viewer
