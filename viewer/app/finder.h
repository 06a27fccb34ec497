#pragma once
// The search box's second half (the first, grid / community / street codes
// and names, is MainWindow::search): a legal entity by name, and an address
// through the engine's geocoder (address::Geocoder over the district's door
// plates: the same matching `gridtwin geocode` does). A hit outside the
// caller's scope is answered as such, never with its place.
//
// Building the geocoder takes a while at full scale (the registry and the
// reverse index): Finder::build() runs on a worker thread after the district
// opens. No tagger model and no national divisions are loaded: the
// registry's own names parse the district's addresses.
//
// Thread-safety: find() and completions() are const and may run on any thread.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "geo/types.h"
#include "query/access.h"
#include "query/twin.h"

namespace gridtwin::address {
class Geocoder;
}

namespace gridtwin::viewer {

struct Found {
  enum class What : unsigned char { kEntity, kAddress };
  What what = What::kEntity;
  std::uint32_t row = 0;       // entity or address row
  geo::Point at;               // EPSG:4547
  std::int32_t building = -1;  // the building it is in (-1: none)
  std::string label;           // the entity's name or the standard address
  bool outsideScope = false;   // found, but the caller may not see it: at is unset
};

class Finder {
 public:
  // Errors: the registry's (a district without door plates).
  static core::Result<std::shared_ptr<const Finder>> build(std::shared_ptr<const query::Twin> twin);
  ~Finder();

  // An entity named `text` (exactly, else the first whose name contains it),
  // else the address the geocoder matches. Errors: kNotFound naming the text.
  core::Result<Found> find(std::string_view text, const query::Access& access) const;
  // Entity names in scope, for the search box's completion list.
  std::vector<std::string> completions(const query::Access& access) const;

 private:
  Finder() = default;
  std::shared_ptr<const query::Twin> m_twin;
  std::unique_ptr<address::Geocoder> m_geocoder;
};

}  // namespace gridtwin::viewer
