#pragma once
// Intake: one entry for every integrating system (一个入口、一次分派). A
// case comes in, is geocoded (engine/address) or taken at its point (any
// CRS engine/crs names), located in its grid (the Twin's locator), given a
// dispatch level (DispatchRules), stored durably (a CaseStore: the journal
// beside a GeoPackage, or PostGIS) and published to the Twin's live event
// log, so that query/stats count it at once; then the listener hears of it.
// A transition publishes the case's new status the same way: its live event
// is appended again and supersedes the earlier entry (Twin::changeEventStatus),
// so counts by status, tiles, the tile cache and the stream follow the case.
//
// Thread-safety: every member may be called from any number of threads at
// once. Durable writes are group-committed (store.h): concurrent submitters
// share one fsync.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cases/case.h"
#include "cases/rules.h"
#include "cases/store.h"
#include "core/error.h"
#include "query/access.h"
#include "query/twin.h"

namespace gridtwin::address {
class Geocoder;
}

namespace gridtwin::cases {

// What a submit did. The case is stored in every outcome.
enum class OutcomeCode : std::uint8_t {
  kCreated,          // located, classified, dispatched: state reported
  kToLocate,         // the address matched nothing (or nothing sure): state to_locate
  kOutsideDistrict,  // the point is in no grid of the district: state outside_district
  kUnknownCategory,  // the category is not one of the district's: state to_classify
};
std::string_view name(OutcomeCode code);  // "created", "to_locate", ...

struct Outcome {
  OutcomeCode code = OutcomeCode::kCreated;
  bool replayed = false;  // (source, external_id) was stored before: the same case, nothing new
  Case c;
  std::string message;  // for the answer: what happened, in the caller's terms
};

// The HTTP status for an outcome: 201 created, 200 a replayed created case,
// 422 for the three stored-but-waiting outcomes (replayed or not).
int httpStatus(const Outcome& outcome);
// The HTTP status for an error of this module: 400 malformed (kParse,
// kSyntax), 404 kNotFound (unknown id or outside the caller's scope), 409
// kUnsupported (an illegal transition; an external_id another scope owns),
// 422 kInvalidArgument and other bad values (kOutOfDomain, kNonFinite, CRS
// errors), 503 a store that failed (kIo, kWriteFailed, kStore).
int httpStatus(const core::Error& error);
// The answer of POST /cases (and of `gridtwin case submit`), one line:
// {"status":201,"outcome":"created","replayed":false,"message":"…","case":{…}}.
std::string toJson(const Outcome& outcome);

// Changes a transition may bring to a case waiting for a person
// (to_locate / to_classify → reported).
struct Amendment {
  std::string gridCode;  // the grid found by hand (15 digits)
  std::string category;  // as in CaseRequest::category
};

// The geocoder of a twin's district: its address registry, the national
// divisions under `sharedData`/divisions and the address tagger at
// `taggerPath` (trained from `sharedData`/addresses/naacl2019 and kept
// there when missing; address::defaultTaggerPath() is the CLI's). The twin
// must outlive it. Errors: those of the registry, the divisions and the
// tagger.
core::Result<std::shared_ptr<const address::Geocoder>> buildGeocoder(const query::Twin& twin,
                                                                     const std::string& sharedData,
                                                                     const std::string& taggerPath);

class Intake {
 public:
  struct Options {
    // Unix seconds now; the clock of reported_at defaults and of nothing else.
    std::function<std::int64_t()> clock;
  };

  // Replays the store's cases: the ids, the (source, external_id) keys, and
  // every case in one of the five steps published to the twin's live log.
  // `geocoder` may be null (an address alone then waits to be located by
  // hand). The twin must outlive the Intake. Errors: those of publishing a
  // replayed case (an unknown grid code: a journal from another dataset).
  static core::Result<std::unique_ptr<Intake>> open(
      query::Twin& twin, std::shared_ptr<const address::Geocoder> geocoder, CategoryCatalog catalog,
      DispatchRules rules, std::unique_ptr<CaseStore> store, Options options = {});
  // The GeoPackage form: the journal beside the dataset
  // (Journal::pathFor(gpkgPath)), the categories from
  // `catalogDir`/event_types.csv and the rules from rulesPathFor().
  static core::Result<std::unique_ptr<Intake>> openWithJournal(
      query::Twin& twin, const std::string& gpkgPath,
      std::shared_ptr<const address::Geocoder> geocoder, const std::string& catalogDir,
      Options options = {});
  // Any store (PostGIS: pgstore::PgCaseStore): the categories from
  // `catalogDir`/event_types.csv, the rules from rulesPathFor(dataset, ...).
  static core::Result<std::unique_ptr<Intake>> openWithStore(
      query::Twin& twin, const std::string& dataset,
      std::shared_ptr<const address::Geocoder> geocoder, const std::string& catalogDir,
      std::unique_ptr<CaseStore> store, Options options = {});
  // The district's own rules when it has them, DATASET.dispatch_rules.csv
  // beside the dataset; otherwise `catalogDir`/dispatch_rules.csv.
  static std::string rulesPathFor(const std::string& dataset, const std::string& catalogDir);
  ~Intake();

  // POST /cases. Idempotent on (source, external_id): a retry answers the
  // same case, replayed = true, once it is durable. Errors (nothing stored):
  // a point outside its CRS's domain (kOutOfDomain/kNonFinite naming the
  // point and CRS); a replayed key whose case is outside the caller's scope
  // (kUnsupported); the store's (kWriteFailed, kStore). Any caller may
  // submit (the HTTP layer decides who may), and the answer shows the case
  // submitted even when its grid is outside the caller's scope.
  core::Result<Outcome> submit(const CaseRequest& request, const query::Access& caller);

  // PATCH /cases/{id}. Records who and when; once durable, a case on the
  // live log gets its new status there (a superseding entry), a case
  // reported by hand joins it. Errors: kNotFound for an
  // unknown id or a case outside the caller's scope (the same words for
  // both); kUnsupported for an illegal move, naming from and to;
  // kInvalidArgument for an empty `who`, a case that cannot be reported
  // yet (no grid or no category), an amendment's unknown grid or category
  // or a grid outside the caller's scope; the store's errors.
  core::Result<Case> transition(std::int64_t id, State to, std::string_view who, std::int64_t when,
                                std::string_view note, const query::Access& caller,
                                const Amendment& amendment = {});

  // GET /cases/{id}: kNotFound for an unknown id or one outside the scope.
  core::Result<Case> get(std::int64_t id, const query::Access& caller) const;
  // Every case the caller may see, ascending by id.
  std::vector<Case> list(const query::Access& caller) const;
  // A case without a grid (to_locate, outside_district) is visible only to
  // a caller whose scope is the whole district.
  static bool visible(const Case& c, const query::Access& caller);

  // A case another server committed (a follower's pgstore::CaseFollower
  // read it), in its state there: kept as the writer keeps it, put into
  // the live log as the writer's own submit or transition does (a new
  // case a new live event, a new status a superseding entry), then the
  // listener hears of it. A state the intake already holds (the same or
  // fewer steps of history: a case changes only by transitions, each one
  // a step) changes nothing and returns false. Errors: an unknown grid
  // code (a store of another dataset); those of publishing.
  core::Result<bool> follow(const Case& stored);
  // The follower becomes the writer: `store` (a PgCaseStore that took the
  // writer's lock once the writer was gone) replays every case, each one
  // newer than the intake holds is followed as above, then writes go to
  // it. The earlier store stays alive (readers may be in its sync) until
  // the intake goes. Errors: as follow()'s (the store is taken anyway).
  core::Result<void> promote(std::unique_ptr<CaseStore> store);
  // False while the intake follows another server's store (writes refused).
  bool writable() const { return activeStore().writable(); }

  // Called after each durable submit (not a replayed one) and transition,
  // on the thread that made it, outside every lock of the Intake. Set it
  // before serving; setting it again while calls run is safe.
  void setListener(std::function<void(const Case&)> listener);

  const ReplayReport& replayReport() const { return activeStore().replayReport(); }
  const CaseStore& store() const { return activeStore(); }
  const query::Twin& twin() const { return m_twin; }

 private:
  struct Entry {
    Case c;
    std::uint64_t ticket = 0;  // the store's ticket of its last record
  };
  struct Crs;

  Intake(query::Twin& twin, std::shared_ptr<const address::Geocoder> geocoder,
         CategoryCatalog catalog, DispatchRules rules, std::unique_ptr<CaseStore> store,
         Options options);
  std::int32_t gridOfCode(std::string_view code) const;
  // Grid row and category of a stored case from its codes.
  core::Result<void> resolve(Case& c) const;
  // Keeps a stored case when it is newer than the one held (true).
  core::Result<bool> adopt(Case& c);
  core::Result<void> locate(const CaseRequest& request, Case& c);
  void dispatch(Case& c) const;
  // Puts the case, as it is after its last change, into the live log: its
  // first publish reports an event, later ones change that event's status.
  core::Result<void> publish(const Case& c);
  void notify(const Case& c);

  query::Twin& m_twin;
  std::shared_ptr<const address::Geocoder> m_geocoder;
  CategoryCatalog m_catalog;
  DispatchRules m_rules;
  std::vector<std::int32_t> m_districtCategory;  // catalogue row → the district's, -1 if unused
  // The store written now (a follower's FollowedStore, then after
  // promote() the writer's); every store ever active is kept in m_stores
  // (guarded by m_mutex) so that a reader racing promote() never meets a
  // freed one. Written under m_mutex; read anywhere.
  std::vector<std::unique_ptr<CaseStore>> m_stores;
  std::atomic<CaseStore*> m_store{nullptr};
  CaseStore& activeStore() const { return *m_store.load(); }
  Options m_options;
  std::unordered_map<std::string, std::uint32_t> m_gridByCode;

  std::unique_ptr<Crs> m_crs;  // transformers, behind their own mutex

  mutable std::mutex m_mutex;  // guards the maps below and the order of store writes
  std::unordered_map<std::int64_t, Entry> m_cases;
  std::unordered_map<std::string, std::int64_t> m_byKey;  // source \x1f external_id → id
  std::int64_t m_nextId = 1;

  // The live event of each published case. publish() runs after the
  // store's sync, outside m_mutex, so two transitions of one case may
  // publish out of order: `steps` (the history length published) lets the
  // later state win, and the mutex keeps look-up and append together.
  struct LiveLink {
    std::int64_t event = 0;  // the event id in the twin's live log
    std::size_t steps = 0;   // Case::history.size() of the state published
  };
  std::mutex m_publishMutex;
  std::unordered_map<std::int64_t, LiveLink> m_live;  // case id → its live event

  std::mutex m_listenerMutex;
  std::shared_ptr<const std::function<void(const Case&)>> m_listener;
};

}  // namespace gridtwin::cases
