// Case intake and dispatch (issue 13, item 5) on the shared small district:
// requests parsed field by field, cases located and dispatched as the
// engine's own locator, geocoder and rules say, idempotency across
// restarts, every pair of states, the journal after kill -9 and a torn
// line, scope, the listener and the live event log.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "address/matcher.h"
#include "cases/intake.h"
#include "cases/journal.h"
#include "crs/transformer.h"
#include "query/query.h"
#include "query/stats.h"

namespace gridtwin::cases {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;

const std::string kDistrict = GRIDTWIN_SMALL_DISTRICT;
const std::string kCatalog = std::string(GRIDTWIN_SOURCE_DIR) + "/data/catalog";

struct World {
  std::unique_ptr<query::Twin> twin;
  std::shared_ptr<const address::Geocoder> geocoder;
  std::vector<geo::Point> lonlat;  // every address's point, EPSG:4490
};

World& world() {
  static World w = [] {
    World out;
    auto twin = query::Twin::open(kDistrict, {});
    if (!twin) {
      ADD_FAILURE() << twin.error().toString();
      return out;
    }
    out.twin = std::move(*twin);
    auto g = buildGeocoder(*out.twin, GRIDTWIN_SHARED_DATA,
                           std::string(GRIDTWIN_BINARY_DIR) + "/address_tagger_test.bin");
    if (!g) {
      ADD_FAILURE() << g.error().toString();
      return out;
    }
    out.geocoder = *g;
    auto back = crs::Transformer::create(crs::kGaussKruger114, crs::kCgcs2000);
    for (const geo::Point& xy : out.twin->points(model::Kind::kAddress)) {
      out.lonlat.push_back(*back->transform(xy));
    }
    return out;
  }();
  return w;
}

query::Access districtAccess() {
  return *query::makeAccess(world().twin->district(), query::Role::kDistrict, "");
}

// A fresh folder per test; the journal is beside a (never written) dataset name.
class CasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(world().twin);
    m_dir = fs::path(GRIDTWIN_BINARY_DIR) / "tests" / "cases" /
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    m_dataset = (m_dir / "district.gpkg").string();
  }
  std::unique_ptr<Intake> open(Intake::Options options = {}) {
    auto in = Intake::openWithJournal(*world().twin, m_dataset, world().geocoder, kCatalog,
                                      std::move(options));
    EXPECT_TRUE(in.ok()) << (in ? "" : in.error().toString());
    return in ? std::move(*in) : nullptr;
  }
  std::string journal() const { return Journal::pathFor(m_dataset); }

  fs::path m_dir;
  std::string m_dataset;
};

CaseRequest pointRequest(const std::string& id, geo::Point p, std::string category = "010101") {
  CaseRequest r;
  r.source = Source::kHotline12345;
  r.externalId = id;
  r.point = p;
  r.category = std::move(category);
  r.text = "井盖缺失";
  return r;
}

std::int32_t locateLonLat(geo::Point lonlat) {
  auto m = crs::Transformer::create(crs::kCgcs2000, crs::kGaussKruger114);
  return world().twin->locator().find(*m->transform(lonlat));
}

// ---- parsing

struct BadRequest {
  const char* json;
  const char* field;  // the error's context
  const char* says;   // words the message holds
};

TEST(ParseCaseRequest, EachBadFieldIsNamed) {
  const BadRequest cases[] = {
      {R"({"source":"12345",)", "body", "malformed JSON"},
      {R"([1,2])", "body", "JSON object"},
      {R"({"source":"12345","external_id":"a","point":[113.1,23.0],"category":"010101","colour":1})",
       "colour", "unknown field"},
      {R"({"external_id":"a","point":[113.1,23.0],"category":"010101"})", "source", "missing"},
      {R"({"source":"110","external_id":"a","point":[113.1,23.0],"category":"010101"})", "source",
       "'110'"},
      {R"({"source":12345,"external_id":"a","point":[113.1,23.0],"category":"010101"})", "source",
       "must be a string"},
      {R"({"source":"12345","point":[113.1,23.0],"category":"010101"})", "external_id", "missing"},
      {R"({"source":"12345","external_id":"","point":[113.1,23.0],"category":"010101"})",
       "external_id", "empty"},
      {R"({"source":"12345","external_id":"a","category":"010101"})", "address",
       "address, a point or both"},
      {R"({"source":"12345","external_id":"a","address":"  ","category":"010101"})", "address",
       "blank"},
      {R"({"source":"12345","external_id":"a","point":[113.1],"category":"010101"})", "point",
       "[113.1]"},
      {R"({"source":"12345","external_id":"a","point":["113.1","23"],"category":"010101"})",
       "point", "two numbers"},
      {R"({"source":"12345","external_id":"a","point":[113.1,23.0],"crs":"EPSG:999999","category":"010101"})",
       "crs", "999999"},
      {R"({"source":"12345","external_id":"a","address":"汾江中路1号","crs":"GCJ02","category":"010101"})",
       "crs", "without a point"},
      {R"({"source":"12345","external_id":"a","point":[113.1,23.0]})", "category", "missing"},
      {R"({"source":"12345","external_id":"a","point":[113.1,23.0],"category":true})", "category",
       "true"},
      {R"({"source":"12345","external_id":"a","point":[113.1,23.0],"category":-3})", "category",
       "-3"},
      {R"({"source":"12345","external_id":"a","point":[113.1,23.0],"category":"010101","severity":"huge"})",
       "severity", "'huge'"},
      {R"({"source":"12345","external_id":"a","point":[113.1,23.0],"category":"010101","reported_at":"yesterday"})",
       "reported_at", "yesterday"},
      {R"({"source":"12345","external_id":"a","point":[113.1,23.0],"category":"010101","text":5})",
       "text", "must be a string"},
  };
  for (const auto& c : cases) {
    auto r = parseCaseRequest(c.json);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.error().context, c.field) << c.json << " → " << r.error().toString();
    EXPECT_NE(r.error().message.find(c.says), std::string::npos)
        << c.json << " → " << r.error().toString();
  }
}

TEST(ParseCaseRequest, ReadsEveryField) {
  auto r = parseCaseRequest(
      R"({"source":"grid_app","external_id":"X-9","address":"汾江中路1号","point":[113.12,23.02],)"
      R"("crs":"gcj-02","category":10101,"severity":"serious","text":"路灯不亮",)"
      R"("reported_at":"2026-12-07T10:00:00+08:00"})");
  ASSERT_TRUE(r.ok()) << r.error().toString();
  EXPECT_EQ(r->source, Source::kGridApp);
  EXPECT_EQ(r->externalId, "X-9");
  EXPECT_EQ(*r->address, "汾江中路1号");
  EXPECT_EQ(r->point->x, 113.12);
  EXPECT_EQ(r->crs, "GCJ02");
  EXPECT_EQ(r->category, "10101");
  EXPECT_EQ(r->severity, Severity::kSerious);
  EXPECT_EQ(*r->reportedAt, 1796608800);
  auto d = parseCaseRequest(R"({"source":"12345","external_id":"a","point":[1,2],"category":"1"})");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->crs, "EPSG:4490");
}

// ---- located, geocoded, dispatched

TEST_F(CasesTest, PointCasesLandInTheLocatorsGridAtTheRulesLevel) {
  auto in = open();
  ASSERT_TRUE(in);
  auto catalog = *CategoryCatalog::load(kCatalog + "/event_types.csv");
  auto rules = *DispatchRules::load(kCatalog + "/dispatch_rules.csv", catalog);
  const auto& w = world();
  const std::uint64_t liveBefore = w.twin->liveEvents().size();
  std::mt19937 rng(5);
  std::size_t inLog = 0;
  for (int i = 0; i < 200; ++i) {
    const geo::Point p = w.lonlat[rng() % w.lonlat.size()];
    const std::uint32_t cat = rng() % catalog.size();
    CaseRequest r = pointRequest("p" + std::to_string(i), p, catalog.code(cat));
    r.severity = static_cast<Severity>(i % 3);
    auto o = in->submit(r, districtAccess());
    ASSERT_TRUE(o.ok()) << o.error().toString();
    const std::int32_t g = locateLonLat(p);
    ASSERT_GE(g, 0);
    EXPECT_EQ(o->code, OutcomeCode::kCreated);
    EXPECT_EQ(httpStatus(*o), 201);
    EXPECT_EQ(o->c.grid, g);
    EXPECT_EQ(o->c.gridCode, w.twin->district().grids().code[static_cast<std::size_t>(g)]);
    EXPECT_EQ(o->c.state, State::kReported);
    EXPECT_EQ(*o->c.level, rules.levelOf(cat, r.severity));
    EXPECT_EQ(o->c.categoryCode, catalog.code(cat));
    // Visible to queries at once when the district knows the category: a
    // live event in the case's grid, of its category.
    const auto& log = w.twin->liveEvents();
    const auto& codes = w.twin->district().columns().categoryCodes;
    if (log.size() == liveBefore + inLog + 1) {
      const query::LiveEvent& e = log[log.size() - 1];
      EXPECT_EQ(e.grid, static_cast<std::uint32_t>(g));
      EXPECT_EQ(codes[e.category], catalog.code(cat));
      ++inLog;
    } else {
      bool known = false;
      for (std::size_t k = 0; k < codes.size(); ++k) known = known || codes[k] == catalog.code(cat);
      EXPECT_FALSE(known) << catalog.code(cat);
    }
  }
  EXPECT_GE(inLog, 150u);
  auto access = districtAccess();
  auto sel = query::select(*w.twin, access, query::Area::wholeScope(),
                           query::KindSet().add(model::Kind::kEvent));
  ASSERT_TRUE(sel.ok()) << sel.error().toString();
  EXPECT_GE(sel->live.size(), inLog);
}

TEST_F(CasesTest, PointsInGcj02AndBd09AreTakenToTheDistrictsCrs) {
  auto in = open();
  ASSERT_TRUE(in);
  const geo::Point p = world().lonlat[17];
  for (const auto& [crsName, crs] : {std::pair{"GCJ02", crs::kGcj02}, std::pair{"BD09", crs::kBd09},
                                     std::pair{"EPSG:4547", crs::kGaussKruger114}}) {
    auto to = crs::Transformer::create(crs::kCgcs2000, crs);
    CaseRequest r = pointRequest(std::string("crs-") + crsName, *to->transform(p));
    r.crs = crsName;
    auto o = in->submit(r, districtAccess());
    ASSERT_TRUE(o.ok()) << o.error().toString();
    auto back = crs::Transformer::create(crs, crs::kCgcs2000);
    EXPECT_EQ(o->c.grid, locateLonLat(*back->transform(*r.point))) << crsName;
    EXPECT_EQ(o->c.crs, crsName);
  }
  // A point outside GCJ-02's domain is bad input: nothing stored.
  CaseRequest bad = pointRequest("crs-bad", {10, 10});
  bad.crs = "GCJ02";
  auto o = in->submit(bad, districtAccess());
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().code, ErrorCode::kOutOfDomain);
  EXPECT_EQ(o.error().context, "point");
  EXPECT_EQ(httpStatus(o.error()), 422);
  EXPECT_EQ(in->list(districtAccess()).size(), 3u);
}

TEST_F(CasesTest, AddressCasesTakeTheGeocodersAnswer) {
  auto in = open();
  ASSERT_TRUE(in);
  const auto& w = world();
  int matched = 0;
  for (std::int64_t row = 0; row < 300; row += 3) {
    address::GeocodeResult d;
    w.geocoder->describe(row, d);
    auto expect = w.geocoder->geocode(d.standardText);
    ASSERT_TRUE(expect.ok());
    CaseRequest r;
    r.externalId = "a" + std::to_string(row);
    r.address = d.standardText;
    r.category = "1";
    auto o = in->submit(r, districtAccess());
    ASSERT_TRUE(o.ok()) << o.error().toString();
    if (expect->match.status == address::MatchStatus::kMatched) {
      ++matched;
      EXPECT_EQ(o->code, OutcomeCode::kCreated);
      EXPECT_EQ(o->c.gridCode, expect->gridCode);
      EXPECT_EQ(o->c.addressCode, expect->code);
      EXPECT_EQ(o->c.locatedBy, "address");
      EXPECT_EQ(o->c.lonlat->x, expect->lon);
    }
  }
  EXPECT_GE(matched, 90);  // standard texts of the registry match themselves
}

TEST_F(CasesTest, PointWinsOverAddressAndTheAddressIsKept) {
  auto in = open();
  ASSERT_TRUE(in);
  address::GeocodeResult d;
  world().geocoder->describe(0, d);
  CaseRequest r = pointRequest("both", world().lonlat[500]);
  r.address = d.standardText;
  auto o = in->submit(r, districtAccess());
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->c.grid, locateLonLat(world().lonlat[500]));
  EXPECT_EQ(o->c.address, d.standardText);
  EXPECT_EQ(o->c.locatedBy, "point");
}

TEST_F(CasesTest, WaitingCasesAreStoredVisibleAndAnswered422) {
  auto in = open();
  ASSERT_TRUE(in);
  CaseRequest nowhere;
  nowhere.externalId = "nowhere";
  nowhere.address = "火星市乌有区不存在大道99999号";
  nowhere.category = "010101";
  auto a = in->submit(nowhere, districtAccess());
  ASSERT_TRUE(a.ok()) << a.error().toString();
  EXPECT_EQ(a->code, OutcomeCode::kToLocate);
  EXPECT_EQ(a->c.state, State::kToLocate);
  EXPECT_EQ(httpStatus(*a), 422);
  EXPECT_NE(a->message.find("located by hand"), std::string::npos) << a->message;

  auto b = in->submit(pointRequest("beijing", {116.397, 39.909}), districtAccess());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->code, OutcomeCode::kOutsideDistrict);
  EXPECT_EQ(b->c.state, State::kOutside);
  EXPECT_NE(b->c.reason.find("116.397,39.909"), std::string::npos) << b->c.reason;
  EXPECT_EQ(httpStatus(*b), 422);

  auto c = in->submit(pointRequest("nocat", world().lonlat[3], "999999"), districtAccess());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->code, OutcomeCode::kUnknownCategory);
  EXPECT_EQ(c->c.state, State::kToClassify);
  EXPECT_NE(c->c.reason.find("'999999'"), std::string::npos) << c->c.reason;
  EXPECT_FALSE(c->c.level);

  // Stored: a restart shows all three in their states.
  in.reset();
  in = open();
  const auto all = in->list(districtAccess());
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].state, State::kToLocate);
  EXPECT_EQ(all[1].state, State::kOutside);
  EXPECT_EQ(all[2].state, State::kToClassify);

  // Located and classified by hand, they are reported and dispatched.
  auto located =
      in->transition(all[0].id, State::kReported, "李四", 100, "现场核实", districtAccess(),
                     Amendment{std::string(world().twin->district().grids().code[7]), ""});
  ASSERT_TRUE(located.ok()) << located.error().toString();
  EXPECT_EQ(located->grid, 7);
  EXPECT_EQ(located->locatedBy, "hand");
  EXPECT_TRUE(located->level);
  auto classified = in->transition(all[2].id, State::kReported, "李四", 101, "", districtAccess(),
                                   Amendment{"", "010102"});
  ASSERT_TRUE(classified.ok()) << classified.error().toString();
  EXPECT_EQ(classified->categoryCode, "010102");
  EXPECT_TRUE(classified->level);
}

// ---- the live log follows the case (a status change supersedes the event's entry)

// The case's event in its grid: counts by status and the entries a query
// returns for the event id (exactly one when it is live).
struct LiveView {
  std::array<std::uint64_t, 5> byStatus{};
  std::vector<model::EventStatus> entries;  // the event's entries in the answer
};

LiveView liveView(std::uint32_t grid, std::int64_t eventId) {
  const auto& t = *world().twin;
  auto sel = query::select(t, districtAccess(), query::Area::ofGrids({grid}),
                           query::KindSet().add(model::Kind::kEvent));
  EXPECT_TRUE(sel.ok());
  LiveView v;
  v.byStatus = query::aggregate(t, *sel).eventsByStatus;
  for (std::uint64_t i : sel->live) {
    if (t.liveEvents()[i].id == eventId) v.entries.push_back(t.liveEvents()[i].status);
  }
  return v;
}

TEST_F(CasesTest, EachTransitionMovesTheCasesLiveEventToItsNewStatus) {
  auto in = open();
  ASSERT_TRUE(in);
  const auto& log = world().twin->liveEvents();
  const geo::Point p = world().lonlat[11];
  const std::int32_t g = locateLonLat(p);
  ASSERT_GE(g, 0);
  const auto grid = static_cast<std::uint32_t>(g);
  const LiveView base = liveView(grid, -1);
  auto o = in->submit(pointRequest("live-1", p), districtAccess());
  ASSERT_TRUE(o.ok()) << o.error().toString();
  ASSERT_EQ(o->code, OutcomeCode::kCreated);
  const query::LiveEvent first = log[log.size() - 1];
  ASSERT_EQ(first.grid, grid);
  auto expect = [&](model::EventStatus status, const std::string& why) {
    const LiveView v = liveView(grid, first.id);
    EXPECT_EQ(v.entries, std::vector<model::EventStatus>{status}) << why;
    auto want = base.byStatus;
    ++want[static_cast<std::size_t>(status)];
    EXPECT_EQ(v.byStatus, want) << why;
    // The latest entry keeps the event's point, grid and fields.
    const query::LiveEvent& e = log[*log.latestOf(first.id)];
    EXPECT_EQ(e.status, status) << why;
    EXPECT_EQ(e.grid, first.grid);
    EXPECT_EQ(e.category, first.category);
    EXPECT_EQ(e.reportedAt, first.reportedAt);
    EXPECT_EQ(e.lonlat.x, first.lonlat.x);
    EXPECT_EQ(e.lonlat.y, first.lonlat.y);
  };
  expect(model::EventStatus::kReported, "submitted");
  const std::pair<State, model::EventStatus> steps[] = {
      {State::kClassified, model::EventStatus::kClassified},
      {State::kHandling, model::EventStatus::kHandling},
      {State::kFollowUp, model::EventStatus::kFollowUp},
      {State::kHandling, model::EventStatus::kHandling},  // the visit found it unresolved
      {State::kFollowUp, model::EventStatus::kFollowUp},
      {State::kClosed, model::EventStatus::kClosed},
  };
  std::int64_t when = 10;
  for (const auto& [state, status] : steps) {
    const std::uint64_t before = log.size();
    auto moved = in->transition(o->c.id, state, "张三", ++when, "", districtAccess());
    ASSERT_TRUE(moved.ok()) << moved.error().toString();
    EXPECT_EQ(log.size(), before + 1) << name(state);
    expect(status, "after the move to " + std::string(name(state)));
  }
  // An illegal move changes nothing.
  const std::uint64_t size = log.size();
  EXPECT_FALSE(
      in->transition(o->c.id, State::kHandling, "张三", ++when, "", districtAccess()).ok());
  EXPECT_EQ(log.size(), size);
  expect(model::EventStatus::kClosed, "after the refused move");
}

// A follower (another server on the writer's store: a FollowedStore, its
// own twin) applies each state the writer committed to its own live log as
// the writer's intake does: a new case one event, a new status a
// superseding entry; a state it holds already, or an older one read late,
// changes nothing; it takes no write; promoted with the writer's store, it
// holds every case (one it never followed too) and hands out the next id.
TEST_F(CasesTest, AFollowerAppliesTheWritersCasesToItsOwnLiveLogAndCanTakeOver) {
  auto writer = open();
  ASSERT_TRUE(writer);
  auto twin = query::Twin::open(kDistrict, {});
  ASSERT_TRUE(twin.ok()) << twin.error().toString();
  auto catalog = CategoryCatalog::load(kCatalog + "/event_types.csv");
  ASSERT_TRUE(catalog.ok());
  auto rules = DispatchRules::load(kCatalog + "/dispatch_rules.csv", *catalog);
  ASSERT_TRUE(rules.ok());
  auto follower = Intake::open(
      **twin, nullptr, std::move(*catalog), std::move(*rules),
      std::make_unique<FollowedStore>(std::vector<Case>{}, "followed", "this server follows"));
  ASSERT_TRUE(follower.ok()) << follower.error().toString();
  std::vector<Case> heard;
  (*follower)->setListener([&](const Case& c) { heard.push_back(c); });
  EXPECT_FALSE((*follower)->writable());
  EXPECT_TRUE(writer->writable());
  const auto& log = (*twin)->liveEvents();
  const std::uint64_t size = log.size(), events = log.eventCount();

  const geo::Point p = world().lonlat[17];
  auto o = writer->submit(pointRequest("follow-1", p), districtAccess());
  ASSERT_TRUE(o.ok()) << o.error().toString();
  ASSERT_EQ(o->code, OutcomeCode::kCreated);
  const query::LiveEvent written =
      world().twin->liveEvents()[world().twin->liveEvents().size() - 1];
  auto applied = (*follower)->follow(o->c);
  ASSERT_TRUE(applied.ok()) << applied.error().toString();
  EXPECT_TRUE(*applied);
  ASSERT_EQ(log.size(), size + 1);
  const query::LiveEvent first = log[log.size() - 1];
  EXPECT_EQ(first.grid, written.grid);
  EXPECT_EQ(first.status, model::EventStatus::kReported);
  EXPECT_EQ(first.category, written.category);
  EXPECT_EQ((*follower)->get(o->c.id, districtAccess())->state, State::kReported);
  ASSERT_EQ(heard.size(), 1u);
  // The same state again: nothing.
  EXPECT_FALSE(*(*follower)->follow(o->c));
  EXPECT_EQ(log.size(), size + 1);
  EXPECT_EQ(heard.size(), 1u);

  auto moved = writer->transition(o->c.id, State::kClassified, "李四", 5, "", districtAccess());
  ASSERT_TRUE(moved.ok()) << moved.error().toString();
  EXPECT_TRUE(*(*follower)->follow(*moved));
  EXPECT_EQ(log.size(), size + 2);
  EXPECT_EQ(log.eventCount(), events + 1);
  EXPECT_EQ(log[*log.latestOf(first.id)].status, model::EventStatus::kClassified);
  EXPECT_EQ(heard.size(), 2u);
  // An older state read late: nothing.
  EXPECT_FALSE(*(*follower)->follow(o->c));
  EXPECT_EQ(log[*log.latestOf(first.id)].status, model::EventStatus::kClassified);

  // No write on the follower.
  auto refused = (*follower)->submit(pointRequest("follow-2", p), districtAccess());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(httpStatus(refused.error()), 503);
  EXPECT_FALSE(
      (*follower)->transition(o->c.id, State::kHandling, "李四", 6, "", districtAccess()).ok());
  EXPECT_EQ(log.size(), size + 2);

  // The writer commits one more case the follower never hears of, and goes.
  auto missed = writer->submit(pointRequest("follow-3", p), districtAccess());
  ASSERT_TRUE(missed.ok());
  writer.reset();
  auto store = Journal::open(journal());
  ASSERT_TRUE(store.ok()) << store.error().toString();
  ASSERT_TRUE((*follower)->promote(std::move(*store)).ok());
  EXPECT_TRUE((*follower)->writable());
  EXPECT_EQ((*follower)->get(missed->c.id, districtAccess())->externalId, "follow-3");
  EXPECT_EQ(log.eventCount(), events + 2);
  EXPECT_EQ(log[*log.latestOf(first.id)].status, model::EventStatus::kClassified);
  auto next = (*follower)->submit(pointRequest("follow-4", p), districtAccess());
  ASSERT_TRUE(next.ok()) << next.error().toString();
  EXPECT_EQ(next->c.id, missed->c.id + 1);
  auto again = (*follower)->submit(pointRequest("follow-1", p), districtAccess());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->c.id, o->c.id);
}

TEST_F(CasesTest, ACaseClassifiedByHandJoinsTheLiveLogAndThenMovesInIt) {
  auto in = open();
  ASSERT_TRUE(in);
  const auto& log = world().twin->liveEvents();
  const geo::Point p = world().lonlat[12];
  const auto grid = static_cast<std::uint32_t>(locateLonLat(p));
  const std::uint64_t before = log.size();
  auto o = in->submit(pointRequest("live-2", p, "999999"), districtAccess());
  ASSERT_TRUE(o.ok()) << o.error().toString();
  ASSERT_EQ(o->code, OutcomeCode::kUnknownCategory);
  EXPECT_EQ(log.size(), before) << "a case to classify is not an event yet";
  auto reported = in->transition(o->c.id, State::kReported, "李四", 1, "", districtAccess(),
                                 Amendment{"", "010101"});
  ASSERT_TRUE(reported.ok()) << reported.error().toString();
  ASSERT_EQ(log.size(), before + 1);
  const std::int64_t id = log[before].id;
  EXPECT_EQ(liveView(grid, id).entries,
            std::vector<model::EventStatus>{model::EventStatus::kReported});
  ASSERT_TRUE(in->transition(o->c.id, State::kClassified, "李四", 2, "", districtAccess()).ok());
  EXPECT_EQ(liveView(grid, id).entries,
            std::vector<model::EventStatus>{model::EventStatus::kClassified});
}

// ---- idempotency

TEST_F(CasesTest, ARetryAnswersTheSameCaseEvenAfterARestart) {
  auto in = open();
  ASSERT_TRUE(in);
  int heard = 0;
  in->setListener([&](const Case&) { ++heard; });
  const CaseRequest r = pointRequest("same", world().lonlat[42]);
  auto first = in->submit(r, districtAccess());
  auto again = in->submit(r, districtAccess());
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_FALSE(first->replayed);
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(first->c.id, again->c.id);
  EXPECT_EQ(httpStatus(*again), 200);
  EXPECT_EQ(heard, 1);
  // Another source's case with the same external id is another case.
  CaseRequest other = r;
  other.source = Source::kPolice;
  auto third = in->submit(other, districtAccess());
  ASSERT_TRUE(third.ok());
  EXPECT_NE(third->c.id, first->c.id);
  in.reset();
  in = open();
  auto after = in->submit(r, districtAccess());
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->replayed);
  EXPECT_EQ(after->c.id, first->c.id);
  EXPECT_EQ(in->list(districtAccess()).size(), 2u);
}

// ---- the state machine, every pair

// The specification (issue 13): the five steps one at a time, a reopen from
// follow-up, waiting states to reported or closed, outside to closed.
bool specLegal(State from, State to) {
  using S = State;
  static const std::set<std::pair<S, S>> legal = {
      {S::kReported, S::kClassified}, {S::kClassified, S::kHandling}, {S::kHandling, S::kFollowUp},
      {S::kFollowUp, S::kClosed},     {S::kFollowUp, S::kHandling},   {S::kToLocate, S::kReported},
      {S::kToLocate, S::kClosed},     {S::kToClassify, S::kReported}, {S::kToClassify, S::kClosed},
      {S::kOutside, S::kClosed}};
  return legal.count({from, to}) != 0;
}

TEST_F(CasesTest, EveryPairOfStatesIsLegalOrRefusedAsSpecified) {
  auto in = open();
  ASSERT_TRUE(in);
  const auto access = districtAccess();
  int n = 0;
  // A case in state `s`, reached by legal steps.
  auto caseIn = [&](State s) -> std::int64_t {
    const std::string id = "sm" + std::to_string(n++);
    core::Result<Outcome> o = core::makeError(ErrorCode::kInvalidArgument, "");
    if (s == State::kToLocate) {
      CaseRequest r;
      r.externalId = id;
      r.address = "火星市乌有区不存在大道1号";
      r.category = "010101";
      o = in->submit(r, access);
    } else if (s == State::kOutside) {
      o = in->submit(pointRequest(id, {116.4, 39.9}), access);
    } else if (s == State::kToClassify) {
      o = in->submit(pointRequest(id, world().lonlat[9], "nonsense"), access);
    } else {
      o = in->submit(pointRequest(id, world().lonlat[9]), access);
    }
    EXPECT_TRUE(o.ok());
    const std::int64_t caseId = o->c.id;
    const State path[] = {State::kClassified, State::kHandling, State::kFollowUp, State::kClosed};
    for (State step : path) {
      if (in->get(caseId, access)->state == s) break;
      EXPECT_TRUE(in->transition(caseId, step, "王五", 1, "", access).ok());
    }
    EXPECT_EQ(in->get(caseId, access)->state, s);
    return caseId;
  };
  for (std::size_t f = 0; f < kStateCount; ++f) {
    for (std::size_t t = 0; t < kStateCount; ++t) {
      const State from = static_cast<State>(f), to = static_cast<State>(t);
      const std::int64_t id = caseIn(from);
      const std::size_t before = in->get(id, access)->history.size();
      Amendment amend;
      if (from == State::kToLocate && to == State::kReported) {
        amend.gridCode = std::string(world().twin->district().grids().code[0]);
      }
      if (from == State::kToClassify && to == State::kReported) amend.category = "010101";
      auto r = in->transition(id, to, "赵六", 1000 + static_cast<std::int64_t>(t), "备注", access,
                              amend);
      const auto now = *in->get(id, access);
      if (specLegal(from, to)) {
        ASSERT_TRUE(r.ok()) << name(from) << " → " << name(to) << ": " << r.error().toString();
        EXPECT_EQ(now.state, to);
        ASSERT_EQ(now.history.size(), before + 1);
        EXPECT_EQ(now.history.back().from, from);
        EXPECT_EQ(now.history.back().who, "赵六");
        EXPECT_EQ(now.history.back().at, 1000 + static_cast<std::int64_t>(t));
        EXPECT_EQ(now.history.back().note, "备注");
      } else {
        ASSERT_FALSE(r.ok()) << name(from) << " → " << name(to);
        EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
        EXPECT_EQ(httpStatus(r.error()), 409);
        EXPECT_NE(r.error().message.find("from " + std::string(name(from))), std::string::npos)
            << r.error().message;
        EXPECT_NE(r.error().message.find("to " + std::string(name(to))), std::string::npos);
        EXPECT_EQ(now.state, from);
        EXPECT_EQ(now.history.size(), before);
      }
    }
  }
  // Without a grid, a waiting case cannot be reported; without who, nothing moves.
  const std::int64_t waiting = caseIn(State::kToLocate);
  auto r = in->transition(waiting, State::kReported, "赵六", 1, "", access);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no grid"), std::string::npos);
  EXPECT_FALSE(in->transition(waiting, State::kClosed, " ", 1, "", access).ok());
  // The history survives a restart.
  const auto before = in->list(access);
  in.reset();
  in = open();
  const auto after = in->list(access);
  ASSERT_EQ(before.size(), after.size());
  for (std::size_t i = 0; i < before.size(); ++i) EXPECT_EQ(toJson(before[i]), toJson(after[i]));
}

// ---- scope

TEST_F(CasesTest, ACallerSeesAndMovesOnlyCasesOfItsGrids) {
  auto in = open();
  ASSERT_TRUE(in);
  const auto& d = world().twin->district();
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 60; ++i) {
    auto o =
        in->submit(pointRequest("s" + std::to_string(i), world().lonlat[i * 37]), districtAccess());
    ASSERT_TRUE(o.ok());
    ids.push_back(o->c.id);
  }
  CaseRequest nowhere;
  nowhere.externalId = "s-nowhere";
  nowhere.address = "火星市乌有区不存在大道2号";
  nowhere.category = "1";
  const std::int64_t waiting = in->submit(nowhere, districtAccess())->c.id;
  const Case first = *in->get(ids[0], districtAccess());
  auto head = query::makeAccess(d, query::Role::kGridHead, first.gridCode);
  ASSERT_TRUE(head.ok());
  std::size_t mine = 0;
  for (std::int64_t id : ids) {
    const Case c = *in->get(id, districtAccess());
    auto seen = in->get(id, *head);
    auto moved = in->transition(id, State::kClassified, "网格员", 5, "", *head);
    if (c.gridCode == first.gridCode) {
      ++mine;
      EXPECT_TRUE(seen.ok());
      EXPECT_TRUE(moved.ok());
    } else {
      ASSERT_FALSE(seen.ok());
      EXPECT_EQ(seen.error().code, ErrorCode::kNotFound);
      ASSERT_FALSE(moved.ok());
      EXPECT_EQ(moved.error().code, ErrorCode::kNotFound);
      EXPECT_EQ(in->get(id, districtAccess())->state, State::kReported);
    }
  }
  const auto listed = in->list(*head);
  EXPECT_EQ(listed.size(), mine);
  for (const Case& c : listed) EXPECT_EQ(c.gridCode, first.gridCode);
  EXPECT_FALSE(in->get(waiting, *head).ok());  // no grid: the district's to see
  EXPECT_TRUE(in->get(waiting, districtAccess()).ok());
  // A retry of another scope's case is refused, not answered.
  auto retry = in->submit(pointRequest("s1", world().lonlat[37]), *head);
  if (in->get(ids[1], districtAccess())->gridCode != first.gridCode) {
    ASSERT_FALSE(retry.ok());
    EXPECT_EQ(retry.error().code, ErrorCode::kUnsupported);
  }
}

// ---- the listener

TEST_F(CasesTest, TheListenerHearsEachDurableChange) {
  auto in = open();
  ASSERT_TRUE(in);
  std::vector<std::pair<std::int64_t, State>> heard;
  in->setListener([&](const Case& c) {
    // Durable before it is heard: a fresh reader of the journal finds it.
    std::ifstream j(journal());
    std::string all((std::istreambuf_iterator<char>(j)), {});
    EXPECT_NE(all.find("\"state\":\"" + std::string(name(c.state)) + "\""), std::string::npos);
    heard.emplace_back(c.id, c.state);
  });
  auto o = in->submit(pointRequest("l1", world().lonlat[1]), districtAccess());
  ASSERT_TRUE(o.ok());
  ASSERT_TRUE(in->transition(o->c.id, State::kClassified, "a", 2, "", districtAccess()).ok());
  EXPECT_FALSE(in->transition(o->c.id, State::kClosed, "a", 3, "", districtAccess()).ok());
  const std::vector<std::pair<std::int64_t, State>> expected = {{o->c.id, State::kReported},
                                                                {o->c.id, State::kClassified}};
  EXPECT_EQ(heard, expected);
}

// ---- the journal

TEST_F(CasesTest, ATornLastLineIsIgnoredReportedAndCut) {
  {
    auto in = open();
    ASSERT_TRUE(in);
    ASSERT_TRUE(in->submit(pointRequest("t1", world().lonlat[1]), districtAccess()).ok());
    ASSERT_TRUE(in->submit(pointRequest("t2", world().lonlat[2]), districtAccess()).ok());
  }
  std::string text;
  {
    std::ifstream j(journal());
    text.assign(std::istreambuf_iterator<char>(j), {});
  }
  const auto lastStart = text.rfind('\n', text.size() - 2) + 1;
  {
    // The second record written again, cut in the middle: a kill during write().
    std::ofstream j(journal(), std::ios::app);
    j << text.substr(lastStart, (text.size() - lastStart) / 2);
  }
  auto in = open();
  ASSERT_TRUE(in);
  EXPECT_TRUE(in->replayReport().tornTail);
  EXPECT_NE(in->replayReport().note.find(":3: incomplete"), std::string::npos)
      << in->replayReport().note;
  EXPECT_EQ(in->list(districtAccess()).size(), 2u);
  EXPECT_EQ(fs::file_size(journal()), text.size());
  ASSERT_TRUE(in->submit(pointRequest("t3", world().lonlat[3]), districtAccess()).ok());
  in.reset();
  in = open();
  EXPECT_FALSE(in->replayReport().tornTail);
  EXPECT_EQ(in->replayReport().records, 3u);
  EXPECT_EQ(in->list(districtAccess()).size(), 3u);
}

TEST_F(CasesTest, ACorruptLineInTheMiddleIsRefusedWithItsLine) {
  {
    std::ofstream j(journal());
    j << "{\"op\":\"submit\",\"case\":{\"id\":1}}\n";
    j << "garbage\n";
  }
  auto in = Intake::openWithJournal(*world().twin, m_dataset, world().geocoder, kCatalog);
  ASSERT_FALSE(in.ok());
  EXPECT_NE(in.error().context.find(journal() + ":1"), std::string::npos) << in.error().toString();
}

TEST_F(CasesTest, ASecondProcessCannotOpenTheJournalInUse) {
  auto in = open();
  ASSERT_TRUE(in);
  auto second = Journal::open(journal());
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("in use"), std::string::npos);
}

// The kill test: a child process submits 10,000 cases on 4 threads and
// reports each answer on a pipe; it is killed with SIGKILL several times
// mid-stream, and each new child retries every case not yet answered (the
// one in flight when the kill came included). In the end each external id
// is stored exactly once, and every answered id kept its case id.
TEST_F(CasesTest, KilledMidStreamEachCaseIsStoredExactlyOnce) {
  constexpr int kCases = 10000;
  constexpr int kThreads = 4;
  const auto& w = world();
  std::vector<CaseRequest> requests;
  for (int i = 0; i < kCases; ++i) {
    requests.push_back(pointRequest("k" + std::to_string(i),
                                    w.lonlat[static_cast<std::size_t>(i) % w.lonlat.size()]));
  }
  std::map<int, std::int64_t> answered;  // request → case id
  std::mt19937 rng(11);
  int kills = 0, rounds = 0, tornSeen = 0;
  while (answered.size() < static_cast<std::size_t>(kCases) && rounds < 50) {
    ++rounds;
    std::vector<int> todo;
    for (int i = 0; i < kCases; ++i) {
      if (answered.count(i) == 0) todo.push_back(i);
    }
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      auto in = Intake::openWithJournal(*w.twin, m_dataset, nullptr, kCatalog);
      if (!in) ::_exit(3);
      std::atomic<std::size_t> next{0};
      std::atomic<bool> failed{false};
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
          const auto access = districtAccess();
          for (std::size_t k; (k = next++) < todo.size();) {
            auto o = (*in)->submit(requests[static_cast<std::size_t>(todo[k])], access);
            if (!o) {
              failed = true;
              return;
            }
            const std::int64_t msg[2] = {todo[k], o->c.id};
            if (::write(fds[1], msg, sizeof msg) != sizeof msg) failed = true;
          }
        });
      }
      for (auto& t : threads) t.join();
      ::_exit(failed ? 4 : 0);
    }
    ::close(fds[1]);
    // Kill after a random number of answers, unless few are left.
    const std::size_t killAfter =
        todo.size() > 1500 ? 300 + rng() % 1200 : std::numeric_limits<std::size_t>::max();
    std::size_t got = 0;
    std::int64_t msg[2];
    bool killed = false;
    while (::read(fds[0], msg, sizeof msg) == sizeof msg) {
      auto [it, fresh] = answered.emplace(static_cast<int>(msg[0]), msg[1]);
      EXPECT_TRUE(fresh || it->second == msg[1]);
      if (++got == killAfter) {
        ::kill(pid, SIGKILL);
        killed = true;
        ++kills;
      }
    }
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (killed) {
      EXPECT_TRUE(WIFSIGNALED(status) || WIFEXITED(status));
    } else {
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    }
    auto j = Journal::open(journal());
    ASSERT_TRUE(j.ok()) << j.error().toString();
    tornSeen += (*j)->replayReport().tornTail ? 1 : 0;
  }
  EXPECT_GE(kills, 3);
  ASSERT_EQ(answered.size(), static_cast<std::size_t>(kCases));
  auto in = Intake::openWithJournal(*w.twin, m_dataset, nullptr, kCatalog);
  ASSERT_TRUE(in.ok());
  const auto all = (*in)->list(districtAccess());
  std::map<std::string, int> perExternal;
  for (const Case& c : all) ++perExternal[c.externalId];
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kCases));
  for (const auto& [ext, count] : perExternal) EXPECT_EQ(count, 1) << ext;
  for (const auto& [i, id] : answered) {
    auto c = (*in)->get(id, districtAccess());
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->externalId, "k" + std::to_string(i));
  }
  std::cout << "kills " << kills << ", rounds " << rounds << ", torn tails " << tornSeen << '\n';
}

}  // namespace
}  // namespace gridtwin::cases
