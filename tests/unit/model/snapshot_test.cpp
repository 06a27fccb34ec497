#include "model/snapshot.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "store/gpkg_reader.h"
#include "unit/model/tiny_dataset.h"

namespace gridtwin::model {
namespace {

// The on-disk section table entry (snapshot.cpp): this test pins the format.
struct Entry {
  char name[48];
  std::uint32_t elemSize, reserved;
  std::uint64_t offset, bytes, checksum;
};
constexpr std::size_t kHeaderSize = 80;

std::vector<char> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
void writeFile(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}
// Where column `name` lies in the snapshot file.
Entry findSection(const std::vector<char>& file, const std::string& name) {
  std::uint32_t count = 0;
  std::memcpy(&count, file.data() + 24, 4);
  for (std::uint32_t i = 0; i < count; ++i) {
    Entry e;
    std::memcpy(&e, file.data() + kHeaderSize + i * sizeof(Entry), sizeof e);
    if (name == e.name) return e;
  }
  ADD_FAILURE() << "no section " << name;
  return {};
}

void expectSameColumns(const District& a, const District& b) {
  const auto sa = sectionsOf(a.columns()), sb = sectionsOf(b.columns());
  ASSERT_EQ(sa.size(), sb.size());
  for (std::size_t i = 0; i < sa.size(); ++i) {
    EXPECT_EQ(sa[i].name, sb[i].name);
    ASSERT_EQ(sa[i].bytes, sb[i].bytes) << sa[i].name;
    EXPECT_EQ(std::memcmp(sa[i].data, sb[i].data, sa[i].bytes), 0) << sa[i].name;
  }
}

class Snapshot : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = test::scratchDir(std::string("snap-") +
                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    m_gpkg = m_dir + "/tiny.gpkg";
    m_snap = store::snapshotPathFor(m_gpkg);
    test::writeTinyDataset(m_gpkg);
    auto loaded = store::loadGeoPackage(m_gpkg);
    ASSERT_TRUE(loaded.ok()) << loaded.error().toString();
    m_loaded = std::move(*loaded);
    auto stamp = stampOf(m_gpkg);
    ASSERT_TRUE(stamp.ok());
    m_stamp = *stamp;
    auto w = writeSnapshot(m_loaded, m_stamp, m_snap);
    ASSERT_TRUE(w.ok()) << w.error().toString();
  }
  // Opens and expects a refusal mentioning `fragment`.
  void expectRefused(const std::string& fragment, SnapshotCheck check = SnapshotCheck::kFull) {
    auto r = openSnapshot(m_snap, m_stamp, check);
    ASSERT_FALSE(r.ok()) << "opened a damaged snapshot";
    EXPECT_NE(r.error().toString().find(fragment), std::string::npos) << r.error().toString();
    EXPECT_NE(r.error().toString().find(m_snap), std::string::npos) << r.error().toString();
  }
  std::string m_dir, m_gpkg, m_snap;
  District m_loaded;
  SourceStamp m_stamp;
};

TEST_F(Snapshot, RoundTripEqualsTheDirectLoad) {
  auto opened = openSnapshot(m_snap, m_stamp);
  ASSERT_TRUE(opened.ok()) << opened.error().toString();
  expectSameColumns(m_loaded, *opened);
  EXPECT_EQ(opened->memoryBytes(), m_loaded.memoryBytes());
  EXPECT_EQ(opened->people().name[3], "黄美玲");
  EXPECT_TRUE(isMissing(opened->events().point.xy[1]));
  // No temporary file is left beside it.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(m_dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 2);
}

TEST_F(Snapshot, OutlivesCopiesAndIsReadableFromManyThreads) {
  District copy;
  {
    auto opened = openSnapshot(m_snap, m_stamp);
    ASSERT_TRUE(opened.ok());
    copy = *opened;
  }
  std::vector<std::thread> readers;
  std::vector<std::size_t> total(4);
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      for (std::size_t i = 0; i < copy.people().size(); ++i)
        total[static_cast<std::size_t>(t)] += copy.people().house[i];
    });
  }
  for (auto& r : readers) r.join();
  for (auto v : total) EXPECT_EQ(v, total[0]);
}

TEST_F(Snapshot, TruncatedIsRejected) {
  auto bytes = readFile(m_snap);
  bytes.resize(bytes.size() - 100);
  writeFile(m_snap, bytes);
  expectRefused("truncated");
  bytes.resize(40);
  writeFile(m_snap, bytes);
  expectRefused("truncated");
  writeFile(m_snap, {});
  expectRefused("truncated");
}

TEST_F(Snapshot, FlippedDataByteFailsItsChecksum) {
  auto bytes = readFile(m_snap);
  const Entry e = findSection(bytes, "people.name.bytes");
  bytes[e.offset + 1] ^= 0x20;
  writeFile(m_snap, bytes);
  expectRefused("people.name.bytes checksum mismatch");
}

TEST_F(Snapshot, BadLinkIsCaughtByValidationEvenWithoutChecksums) {
  auto bytes = readFile(m_snap);
  const Entry e = findSection(bytes, "people.house");
  const std::uint32_t bad = 0xFFFFFF00u;
  std::memcpy(bytes.data() + e.offset + 4, &bad, 4);
  writeFile(m_snap, bytes);
  expectRefused("people.house row 1", SnapshotCheck::kHeaderOnly);
}

TEST_F(Snapshot, DamagedHeaderOrTableIsRejected) {
  auto bytes = readFile(m_snap);
  auto damaged = bytes;
  damaged[0] = 'X';
  writeFile(m_snap, damaged);
  expectRefused("bad magic");
  damaged = bytes;
  damaged[kHeaderSize + 60] ^= 1;  // inside the first entry's offset
  writeFile(m_snap, damaged);
  expectRefused("section table checksum");
  damaged = bytes;
  damaged[8] = 99;  // format version
  writeFile(m_snap, damaged);
  expectRefused("format version");
}

TEST_F(Snapshot, AdminGeographyOpensTheGridsAndLeavesTheRecordsUnread) {
  // A damaged register of records is not even read: only the admin part is.
  auto bytes = readFile(m_snap);
  const Entry e = findSection(bytes, "people.name.bytes");
  bytes[e.offset + 1] ^= 0x20;
  writeFile(m_snap, bytes);
  auto admin = openSnapshot(m_snap, m_stamp, SnapshotCheck::kFull, SnapshotPart::kAdminGeography);
  ASSERT_TRUE(admin.ok()) << admin.error().toString();
  const auto sa = sectionsOf(admin->columns()), sl = sectionsOf(m_loaded.columns());
  ASSERT_EQ(sa.size(), sl.size());
  int kept = 0;
  for (std::size_t i = 0; i < sa.size(); ++i) {
    const std::string& name = sa[i].name;
    bool record = false;
    for (const char* kind : {"roads.", "buildings.", "addresses.", "houses.", "people.",
                             "entities.", "facilities.", "events."}) {
      record = record || name.rfind(kind, 0) == 0;
    }
    if (!record) {
      ++kept;
      ASSERT_EQ(sa[i].bytes, sl[i].bytes) << name;
      EXPECT_EQ(std::memcmp(sa[i].data, sl[i].data, sa[i].bytes), 0) << name;
    }
  }
  EXPECT_GT(kept, 20);
  EXPECT_EQ(admin->grids().size(), m_loaded.grids().size());
  EXPECT_GT(admin->grids().size(), 0u);
  EXPECT_EQ(admin->grids().code[0], m_loaded.grids().code[0]);
  EXPECT_EQ(admin->streetOfGrid(0), m_loaded.streetOfGrid(0));
  for (Kind kind : {Kind::kRoad, Kind::kBuilding, Kind::kAddress, Kind::kHouse, Kind::kPerson,
                    Kind::kEntity, Kind::kFacility, Kind::kEvent}) {
    EXPECT_EQ(admin->count(kind), 0u) << static_cast<int>(kind);
  }
  // The whole district is refused as before.
  expectRefused("people.name.bytes checksum mismatch");
  // The admin part itself is still checked.
  const Entry g = findSection(bytes, "grids.code.bytes");
  bytes[g.offset] ^= 0x01;
  writeFile(m_snap, bytes);
  auto damaged = openSnapshot(m_snap, m_stamp, SnapshotCheck::kFull, SnapshotPart::kAdminGeography);
  ASSERT_FALSE(damaged.ok());
  EXPECT_NE(damaged.error().toString().find("grids.code.bytes checksum mismatch"),
            std::string::npos)
      << damaged.error().toString();
}

TEST_F(Snapshot, StaleStampIsRejected) {
  SourceStamp other = m_stamp;
  other.mtimeNs += 1;
  auto r = openSnapshot(m_snap, other);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("stale"), std::string::npos);
}

TEST(SnapshotStamp, ChangesWhenTheSourceIsRewritten) {
  const std::string dir = test::scratchDir("stamp");
  const std::string path = dir + "/x.bin";
  std::ofstream(path) << "one";
  auto a = stampOf(path);
  std::ofstream(path) << "two";
  auto b = stampOf(path);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->contentHash, b->contentHash);
  EXPECT_FALSE(*a == *b);
  EXPECT_EQ(stampOf(dir + "/none").error().code, core::ErrorCode::kNotFound);
}

// openDataset: first load writes the snapshot, the second open uses it, a
// damaged or stale one is rebuilt.
TEST(OpenDataset, WritesUsesAndRebuildsTheSnapshot) {
  const std::string dir = test::scratchDir("open");
  const std::string gpkg = dir + "/tiny.gpkg";
  test::writeTinyDataset(gpkg);

  auto first = store::openDataset(gpkg);
  ASSERT_TRUE(first.ok()) << first.error().toString();
  EXPECT_FALSE(first->report.fromSnapshot);
  EXPECT_TRUE(first->report.snapshotWritten) << first->report.snapshotNote;
  EXPECT_EQ(first->report.snapshotNote, "no snapshot yet");

  auto second = store::openDataset(gpkg);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->report.fromSnapshot) << second->report.snapshotNote;
  EXPECT_EQ(second->report.snapshotNote, "");
  expectSameColumns(first->district, second->district);

  // Corrupt: rebuilt, with the reason in the note.
  auto bytes = readFile(first->report.snapshotPath);
  bytes[bytes.size() / 2] ^= 0x55;
  writeFile(first->report.snapshotPath, bytes);
  auto third = store::openDataset(gpkg);
  ASSERT_TRUE(third.ok());
  EXPECT_FALSE(third->report.fromSnapshot);
  EXPECT_TRUE(third->report.snapshotWritten);
  EXPECT_NE(third->report.snapshotNote.find("checksum"), std::string::npos)
      << third->report.snapshotNote;
  expectSameColumns(first->district, third->district);

  // Stale: the GeoPackage changed (one person fewer).
  ASSERT_EQ(test::execSql(gpkg, "DELETE FROM people WHERE fid = 5"), "");
  auto fourth = store::openDataset(gpkg);
  ASSERT_TRUE(fourth.ok()) << fourth.error().toString();
  EXPECT_FALSE(fourth->report.fromSnapshot);
  EXPECT_NE(fourth->report.snapshotNote.find("stale"), std::string::npos)
      << fourth->report.snapshotNote;
  EXPECT_EQ(fourth->district.people().size(), 4u);

  // --no-snapshot: neither read nor written.
  std::filesystem::remove(fourth->report.snapshotPath);
  auto fifth = store::openDataset(gpkg, store::OpenOptions{false, false});
  ASSERT_TRUE(fifth.ok());
  EXPECT_FALSE(fifth->report.fromSnapshot);
  EXPECT_FALSE(std::filesystem::exists(fifth->report.snapshotPath));
}

}  // namespace
}  // namespace gridtwin::model
