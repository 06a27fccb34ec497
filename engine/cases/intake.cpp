#include "cases/intake.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "address/gazetteer.h"
#include "address/matcher.h"
#include "address/parser.h"
#include "address/registry.h"
#include "cases/journal.h"
#include "crs/crs.h"
#include "crs/transformer.h"

namespace gridtwin::cases {
namespace {

using core::ErrorCode;
using core::makeError;

std::string keyOf(Source source, std::string_view externalId) {
  std::string k(name(source));
  k += '\x1f';
  k += externalId;
  return k;
}

OutcomeCode outcomeOf(State s) {
  switch (s) {
    case State::kToLocate:
      return OutcomeCode::kToLocate;
    case State::kOutside:
      return OutcomeCode::kOutsideDistrict;
    case State::kToClassify:
      return OutcomeCode::kUnknownCategory;
    default:
      return OutcomeCode::kCreated;
  }
}

std::string messageOf(const Case& c, bool replayed) {
  std::string m = replayed ? "already received as case " + std::to_string(c.id) + ": "
                           : "case " + std::to_string(c.id) + ": ";
  switch (c.state) {
    case State::kToLocate:
      return m + "stored, to be located by hand (" + c.reason + ")";
    case State::kOutside:
      return m + "stored as outside the district (" + c.reason + ")";
    case State::kToClassify:
      return m + "stored, to be classified by hand (" + c.reason + ")";
    default:
      return m + "grid " + c.gridCode + ", dispatched to the " +
             std::string(c.level ? name(*c.level) : "?") + " level";
  }
}

std::string pointText(const geo::Point& p) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.7g,%.7g", p.x, p.y);
  return buf;
}

}  // namespace

std::string_view name(OutcomeCode code) {
  switch (code) {
    case OutcomeCode::kCreated:
      return "created";
    case OutcomeCode::kToLocate:
      return "to_locate";
    case OutcomeCode::kOutsideDistrict:
      return "outside_district";
    case OutcomeCode::kUnknownCategory:
      return "unknown_category";
  }
  return "created";
}

int httpStatus(const Outcome& o) {
  if (o.code != OutcomeCode::kCreated) return 422;
  return o.replayed ? 200 : 201;
}

std::string toJson(const Outcome& o) {
  return "{\"status\":" + std::to_string(httpStatus(o)) + ",\"outcome\":\"" +
         std::string(name(o.code)) + "\",\"replayed\":" + (o.replayed ? "true" : "false") +
         ",\"message\":" + nlohmann::json(o.message).dump() + ",\"case\":" + toJson(o.c) + "}";
}

int httpStatus(const core::Error& e) {
  switch (e.code) {
    case ErrorCode::kParse:
    case ErrorCode::kSyntax:
    case ErrorCode::kUnexpectedEnd:
    case ErrorCode::kInvalidUtf8:
    case ErrorCode::kBadNumber:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kUnsupported:
      return 409;
    case ErrorCode::kIo:
    case ErrorCode::kWriteFailed:
    case ErrorCode::kStore:
      return 503;
    default:
      return 422;
  }
}

// Transformers from each CRS callers used to EPSG:4490, and 4490 → 4547.
// A Transformer is not thread-safe: one mutex around them (a transform is
// microseconds; create() happens once per CRS).
struct Intake::Crs {
  std::mutex mutex;
  std::map<std::string, crs::Transformer> toLonLat;
  std::optional<crs::Transformer> toMetric;
};

Intake::Intake(query::Twin& twin, std::shared_ptr<const address::Geocoder> geocoder,
               CategoryCatalog catalog, DispatchRules rules, std::unique_ptr<CaseStore> store,
               Options options)
    : m_twin(twin),
      m_geocoder(std::move(geocoder)),
      m_catalog(std::move(catalog)),
      m_rules(std::move(rules)),
      m_options(std::move(options)),
      m_crs(std::make_unique<Crs>()) {
  m_store = store.get();
  m_stores.push_back(std::move(store));
  if (!m_options.clock) {
    m_options.clock = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
}

Intake::~Intake() = default;

core::Result<std::shared_ptr<const address::Geocoder>> buildGeocoder(
    const query::Twin& twin, const std::string& sharedData, const std::string& taggerPath) {
  auto registry = address::Registry::build(twin.district());
  if (!registry) return registry.takeError();
  auto divisions = std::make_shared<address::Gazetteer>();
  GRIDTWIN_TRY(divisions->addDivisions(sharedData + "/divisions"));
  auto tagger =
      address::loadOrTrainTagger(taggerPath, sharedData + "/addresses/naacl2019", *divisions);
  if (!tagger) return tagger.takeError();
  auto matcher = std::make_shared<const address::Matcher>(
      *registry, address::makeRegistryParser(**registry, *divisions, *tagger));
  return std::shared_ptr<const address::Geocoder>(
      std::make_shared<const address::Geocoder>(matcher));
}

core::Result<std::unique_ptr<Intake>> Intake::openWithJournal(
    query::Twin& twin, const std::string& gpkgPath,
    std::shared_ptr<const address::Geocoder> geocoder, const std::string& catalogDir,
    Options options) {
  auto journal = Journal::open(Journal::pathFor(gpkgPath));
  if (!journal) return journal.takeError();
  return openWithStore(twin, gpkgPath, std::move(geocoder), catalogDir, std::move(*journal),
                       std::move(options));
}

core::Result<std::unique_ptr<Intake>> Intake::openWithStore(
    query::Twin& twin, const std::string& dataset,
    std::shared_ptr<const address::Geocoder> geocoder, const std::string& catalogDir,
    std::unique_ptr<CaseStore> store, Options options) {
  auto catalog = CategoryCatalog::load(catalogDir + "/event_types.csv");
  if (!catalog) return catalog.takeError();
  auto rules = DispatchRules::load(rulesPathFor(dataset, catalogDir), *catalog);
  if (!rules) return rules.takeError();
  return open(twin, std::move(geocoder), std::move(*catalog), std::move(*rules), std::move(store),
              std::move(options));
}

std::string Intake::rulesPathFor(const std::string& dataset, const std::string& catalogDir) {
  const std::string own = dataset + ".dispatch_rules.csv";
  if (::access(own.c_str(), F_OK) == 0) return own;
  return catalogDir + "/dispatch_rules.csv";
}

core::Result<std::unique_ptr<Intake>> Intake::open(
    query::Twin& twin, std::shared_ptr<const address::Geocoder> geocoder, CategoryCatalog catalog,
    DispatchRules rules, std::unique_ptr<CaseStore> store, Options options) {
  std::unique_ptr<Intake> in(new Intake(twin, std::move(geocoder), std::move(catalog),
                                        std::move(rules), std::move(store), std::move(options)));
  const auto& d = twin.district();
  for (std::size_t g = 0; g < d.grids().code.size(); ++g) {
    in->m_gridByCode.emplace(std::string(d.grids().code[g]), static_cast<std::uint32_t>(g));
  }
  const auto& codes = d.columns().categoryCodes;
  std::unordered_map<std::string_view, std::int32_t> districtRow;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    districtRow.emplace(codes[i], static_cast<std::int32_t>(i));
  }
  for (std::size_t i = 0; i < in->m_catalog.size(); ++i) {
    const auto it = districtRow.find(in->m_catalog.code(i));
    in->m_districtCategory.push_back(it == districtRow.end() ? -1 : it->second);
  }
  auto metric = crs::Transformer::create(crs::kCgcs2000, crs::kGaussKruger114);
  if (!metric) return metric.takeError();
  in->m_crs->toMetric = std::move(*metric);
  for (const Case& stored : in->activeStore().loaded()) {
    Case c = stored;
    GRIDTWIN_TRY(in->resolve(c));
    GRIDTWIN_TRY(in->publish(c));
    in->m_nextId = std::max(in->m_nextId, c.id + 1);
    in->m_byKey[keyOf(c.source, c.externalId)] = c.id;
    in->m_cases[c.id] = Entry{std::move(c), 0};
  }
  return in;
}

std::int32_t Intake::gridOfCode(std::string_view code) const {
  const auto it = m_gridByCode.find(std::string(code));
  return it == m_gridByCode.end() ? -1 : static_cast<std::int32_t>(it->second);
}

core::Result<void> Intake::resolve(Case& c) const {
  // The store names grids and categories by code: rows come from this dataset.
  if (!c.gridCode.empty()) {
    c.grid = gridOfCode(c.gridCode);
    if (c.grid < 0) {
      return makeError(ErrorCode::kInvalidArgument,
                       "case " + std::to_string(c.id) + " names grid " + c.gridCode +
                           ", not a grid of this dataset",
                       activeStore().describe());
    }
  }
  c.category = c.categoryCode.empty() ? -1 : m_catalog.find(c.categoryCode);
  return {};
}

core::Result<bool> Intake::adopt(Case& c) {
  GRIDTWIN_TRY(resolve(c));
  std::lock_guard lock(m_mutex);
  const auto it = m_cases.find(c.id);
  if (it != m_cases.end() && it->second.c.history.size() >= c.history.size()) return false;
  m_nextId = std::max(m_nextId, c.id + 1);
  m_byKey[keyOf(c.source, c.externalId)] = c.id;
  // Ticket 0: committed by the writer already, nothing to wait for.
  m_cases[c.id] = Entry{c, 0};
  return true;
}

core::Result<bool> Intake::follow(const Case& stored) {
  Case c = stored;
  auto newer = adopt(c);
  if (!newer) return newer.takeError();
  if (!*newer) return false;
  GRIDTWIN_TRY(publish(c));
  notify(c);
  return true;
}

core::Result<void> Intake::promote(std::unique_ptr<CaseStore> store) {
  std::vector<Case> changed;
  std::optional<core::Error> failure;
  for (const Case& stored : store->loaded()) {
    Case c = stored;
    auto newer = adopt(c);
    if (!newer) {
      if (!failure) failure = newer.takeError();
    } else if (*newer) {
      changed.push_back(std::move(c));
    }
  }
  {
    std::lock_guard lock(m_mutex);
    m_store = store.get();
    m_stores.push_back(std::move(store));
  }
  for (const Case& c : changed) {
    if (auto r = publish(c); !r && !failure) failure = r.takeError();
    notify(c);
  }
  if (failure) return std::move(*failure);
  return {};
}

core::Result<void> Intake::locate(const CaseRequest& r, Case& c) {
  const auto& grids = m_twin.district().grids();
  if (r.point) {
    std::optional<geo::Point> lonlat, xy;
    {
      std::lock_guard lock(m_crs->mutex);
      auto it = m_crs->toLonLat.find(r.crs);
      if (it == m_crs->toLonLat.end()) {
        auto from = crs::parseCrs(r.crs);
        if (!from) return std::move(from.takeError()).withContext("crs");
        auto t = crs::Transformer::create(*from, crs::kCgcs2000);
        if (!t) return std::move(t.takeError()).withContext("crs");
        it = m_crs->toLonLat.emplace(r.crs, std::move(*t)).first;
      }
      auto ll = it->second.transform(*r.point);
      if (!ll) {
        return makeError(ll.error().code,
                         "point " + pointText(*r.point) + " (" + r.crs + "): " + ll.error().message,
                         "point");
      }
      auto m = m_crs->toMetric->transform(*ll);
      if (m) xy = *m;  // a lon,lat PROJ cannot project is in no grid
      lonlat = *ll;
    }
    c.lonlat = lonlat;
    c.locatedBy = "point";
    const std::int32_t g = xy ? m_twin.locator().find(*xy) : query::Locator::kOutside;
    if (g < 0) {
      c.state = State::kOutside;
      c.reason = "point " + pointText(*r.point) + " (" + r.crs + ") is outside the district";
      return {};
    }
    c.grid = g;
    c.gridCode = std::string(grids.code[static_cast<std::size_t>(g)]);
    return {};
  }
  // An address alone.
  if (!m_geocoder) {
    c.state = State::kToLocate;
    c.reason = "no geocoder is loaded: the address cannot be matched";
    return {};
  }
  auto g = m_geocoder->geocode(*r.address, "address");
  if (!g) return g.takeError();
  const auto status = g->match.status;
  if (g->match.address < 0 ||
      (status != address::MatchStatus::kMatched && status != address::MatchStatus::kPartial)) {
    c.state = State::kToLocate;
    c.reason = "address " + std::string(address::matchStatusName(status)) +
               (g->match.reason.empty() ? std::string() : ": " + g->match.reason);
    return {};
  }
  c.lonlat = geo::Point{g->lon, g->lat};
  c.locatedBy = "address";
  c.addressCode = g->code;
  c.grid = gridOfCode(g->gridCode);
  if (c.grid < 0) {
    c.state = State::kToLocate;
    c.reason = "the matched address " + g->code + " has no grid";
    return {};
  }
  c.gridCode = g->gridCode;
  return {};
}

void Intake::dispatch(Case& c) const {
  if (c.category >= 0) c.categoryCode = m_catalog.code(static_cast<std::size_t>(c.category));
  if (c.state == State::kOutside || c.state == State::kToLocate) return;
  if (c.category < 0) {
    c.state = State::kToClassify;
    c.reason = "category '" + c.categoryGiven + "' is not one of the district's " +
               std::to_string(m_catalog.size()) + " categories";
    return;
  }
  c.level = m_rules.levelOf(static_cast<std::uint32_t>(c.category), c.severity);
  c.state = State::kReported;
  c.reason.clear();
}

core::Result<void> Intake::publish(const Case& c) {
  const auto status = eventStatusOf(c.state);
  std::lock_guard lock(m_publishMutex);
  if (const auto link = m_live.find(c.id); link != m_live.end()) {
    // Already live: a new status, unless a later change was published first.
    if (c.history.size() <= link->second.steps) return {};
    link->second.steps = c.history.size();
    if (!status) return {};  // never: a live case moves among the five steps only
    auto r = m_twin.changeEventStatus(link->second.event, *status);
    if (!r) return std::move(r.takeError()).withContext("case " + std::to_string(c.id));
    return {};
  }
  if (!status || c.grid < 0 || c.category < 0 || !c.level) return {};
  // A category none of the district's events used yet has no row in the
  // model's category table: the case is stored but not in the live log.
  const std::int32_t row = m_districtCategory[static_cast<std::size_t>(c.category)];
  if (row < 0) return {};
  query::NewEvent e;
  e.category = static_cast<std::uint16_t>(row);
  e.source = eventSourceOf(c.source);
  e.reportedAt = c.reportedAt;
  e.status = *status;
  e.level = dispatchLevelOf(*c.level);
  if (c.lonlat && c.locatedBy != "hand") {
    e.lonlat = c.lonlat;
  } else {
    e.grid = static_cast<std::uint32_t>(c.grid);
  }
  auto r = m_twin.reportEvent(e);
  if (!r && e.lonlat) {
    // Located by its grid (an address's grid column is the authority):
    // publish it there even when its point falls in another grid's polygon.
    e.lonlat.reset();
    e.grid = static_cast<std::uint32_t>(c.grid);
    r = m_twin.reportEvent(e);
  }
  if (!r) return std::move(r.takeError()).withContext("case " + std::to_string(c.id));
  m_live.emplace(c.id, LiveLink{m_twin.liveEvents()[*r].id, c.history.size()});
  return {};
}

void Intake::notify(const Case& c) {
  std::shared_ptr<const std::function<void(const Case&)>> listener;
  {
    std::lock_guard lock(m_listenerMutex);
    listener = m_listener;
  }
  if (listener && *listener) (*listener)(c);
}

void Intake::setListener(std::function<void(const Case&)> listener) {
  auto p = std::make_shared<const std::function<void(const Case&)>>(std::move(listener));
  std::lock_guard lock(m_listenerMutex);
  m_listener = std::move(p);
}

bool Intake::visible(const Case& c, const query::Access& caller) {
  if (c.grid < 0) return caller.scope.isAll();
  return caller.scope.contains(static_cast<std::uint32_t>(c.grid));
}

core::Result<Outcome> Intake::submit(const CaseRequest& r, const query::Access& caller) {
  const std::string key = keyOf(r.source, r.externalId);
  auto answerReplay = [&](std::unique_lock<std::mutex>& lock) -> core::Result<Outcome> {
    const Entry& e = m_cases.at(m_byKey.at(key));
    if (!visible(e.c, caller)) {
      return makeError(ErrorCode::kUnsupported,
                       "external_id '" + r.externalId + "' of source " +
                           std::string(name(r.source)) +
                           " is already used by a case outside your scope",
                       "external_id");
    }
    Outcome o{outcomeOf(e.c.state), true, e.c, messageOf(e.c, true)};
    const std::uint64_t ticket = e.ticket;
    lock.unlock();
    GRIDTWIN_TRY(activeStore().sync(ticket));  // answer only what is durable
    return o;
  };
  {
    std::unique_lock lock(m_mutex);
    if (m_byKey.count(key) != 0) return answerReplay(lock);
  }
  Case c;
  c.source = r.source;
  c.externalId = r.externalId;
  c.address = r.address.value_or(std::string());
  c.point = r.point;
  c.crs = r.crs;
  c.categoryGiven = r.category;
  c.category = m_catalog.find(r.category);
  c.severity = r.severity;
  c.text = r.text;
  c.reportedAt = r.reportedAt.value_or(m_options.clock());
  c.state = State::kReported;
  GRIDTWIN_TRY(locate(r, c));
  dispatch(c);

  std::uint64_t ticket = 0;
  CaseStore* store = nullptr;  // the one the ticket is of (promote() may swap it)
  {
    std::unique_lock lock(m_mutex);
    if (m_byKey.count(key) != 0) return answerReplay(lock);  // a concurrent retry won
    c.id = m_nextId;
    store = &activeStore();
    auto t = store->write("submit", c);
    if (!t) return t.takeError();
    ticket = *t;
    ++m_nextId;
    m_byKey.emplace(key, c.id);
    m_cases.emplace(c.id, Entry{c, ticket});
  }
  GRIDTWIN_TRY(store->sync(ticket));
  GRIDTWIN_TRY(publish(c));
  notify(c);
  Outcome o{outcomeOf(c.state), false, c, messageOf(c, false)};
  return o;
}

core::Result<Case> Intake::transition(std::int64_t id, State to, std::string_view who,
                                      std::int64_t when, std::string_view note,
                                      const query::Access& caller, const Amendment& amendment) {
  const std::string where = "case " + std::to_string(id);
  if (who.find_first_not_of(" \t") == std::string_view::npos) {
    return makeError(ErrorCode::kInvalidArgument, "who must name the person making the change",
                     "who");
  }
  Case c;
  std::uint64_t ticket = 0;
  CaseStore* store = nullptr;  // the one the ticket is of (promote() may swap it)
  {
    std::lock_guard lock(m_mutex);
    const auto it = m_cases.find(id);
    if (it == m_cases.end() || !visible(it->second.c, caller)) {
      return makeError(ErrorCode::kNotFound, "no case " + std::to_string(id) + " in your scope",
                       where);
    }
    c = it->second.c;
    const State from = c.state;
    if (!isLegal(from, to)) {
      return makeError(ErrorCode::kUnsupported,
                       "illegal transition from " + std::string(name(from)) + " (" +
                           std::string(label(from)) + ") to " + std::string(name(to)) + " (" +
                           std::string(label(to)) + ")",
                       where);
    }
    if (!amendment.gridCode.empty()) {
      if (from != State::kToLocate) {
        return makeError(ErrorCode::kInvalidArgument,
                         "a grid is given only to a case waiting to be located", "grid");
      }
      const std::int32_t g = gridOfCode(amendment.gridCode);
      if (g < 0) {
        return makeError(ErrorCode::kInvalidArgument,
                         "'" + amendment.gridCode + "' is not a grid of the district", "grid");
      }
      if (!caller.scope.contains(static_cast<std::uint32_t>(g))) {
        return makeError(ErrorCode::kInvalidArgument,
                         "grid " + amendment.gridCode + " is outside your scope", "grid");
      }
      c.grid = g;
      c.gridCode = amendment.gridCode;
      c.locatedBy = "hand";
    }
    if (!amendment.category.empty()) {
      if (from != State::kToClassify && from != State::kToLocate) {
        return makeError(ErrorCode::kInvalidArgument,
                         "a category is given only to a case waiting to be located or classified",
                         "category");
      }
      const std::int32_t cat = m_catalog.find(amendment.category);
      if (cat < 0) {
        return makeError(ErrorCode::kInvalidArgument,
                         "category '" + amendment.category + "' is not one of the district's",
                         "category");
      }
      c.category = cat;
      c.categoryGiven = amendment.category;
    }
    if (to == State::kReported) {
      if (c.grid < 0) {
        return makeError(ErrorCode::kInvalidArgument,
                         "the case has no grid yet: give the grid found by hand", where);
      }
      if (c.category < 0) {
        return makeError(ErrorCode::kInvalidArgument,
                         "the case has no known category yet: give one of the district's", where);
      }
      c.state = State::kReported;
      dispatch(c);
    }
    c.state = to;
    c.history.push_back(Transition{from, to, std::string(who), when, std::string(note)});
    store = &activeStore();
    auto t = store->write("transition", c);
    if (!t) return t.takeError();
    ticket = *t;
    it->second = Entry{c, ticket};
  }
  GRIDTWIN_TRY(store->sync(ticket));
  GRIDTWIN_TRY(publish(c));  // a new status, or (→ reported) the first
  notify(c);
  return c;
}

core::Result<Case> Intake::get(std::int64_t id, const query::Access& caller) const {
  Case c;
  std::uint64_t ticket = 0;
  {
    std::lock_guard lock(m_mutex);
    const auto it = m_cases.find(id);
    if (it == m_cases.end() || !visible(it->second.c, caller)) {
      return makeError(ErrorCode::kNotFound, "no case " + std::to_string(id) + " in your scope",
                       "case " + std::to_string(id));
    }
    c = it->second.c;
    ticket = it->second.ticket;
  }
  GRIDTWIN_TRY(activeStore().sync(ticket));  // never show what a crash could take back
  return c;
}

std::vector<Case> Intake::list(const query::Access& caller) const {
  std::vector<Case> out;
  std::uint64_t ticket = 0;
  {
    std::lock_guard lock(m_mutex);
    for (const auto& [id, e] : m_cases) {
      if (!visible(e.c, caller)) continue;
      out.push_back(e.c);
      ticket = std::max(ticket, e.ticket);
    }
  }
  std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.id < b.id; });
  (void)activeStore().sync(ticket);  // best effort: a failed store says so on the next write
  return out;
}

}  // namespace gridtwin::cases
