#pragma once
// The case journal of a GeoPackage dataset: an append-only file beside it,
// DATASET.cases.jsonl (data/chancheng.gpkg → data/chancheng.gpkg.cases.jsonl),
// one JSON line per submit or transition:
//
//   {"op":"submit","case":{...the case after it...}}
//   {"op":"transition","case":{...}}
//
// The dataset itself is never written. A record is durable before the
// Intake answers: the line goes out in one write(2), then fdatasync(2),
// shared by every thread waiting at that moment (group commit). On open the
// journal is replayed (the last line of each case id wins); an incomplete
// last line — a process killed in the middle of its write — is ignored,
// reported in replayReport() and cut off, so the next line starts clean. A
// bad line anywhere else is corruption: open() refuses the journal, naming
// the line. One process at a time: open() takes an exclusive flock(2), and
// a second open is refused while the first lives (the lock dies with it,
// kill -9 included).
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "cases/store.h"

namespace gridtwin::cases {

class Journal final : public CaseStore {
 public:
  // DATASET + ".cases.jsonl".
  static std::string pathFor(const std::string& dataset);
  // Creates the file when missing. Errors: kIo naming the path (cannot
  // open, in use by another process); kParse naming the path and line.
  static core::Result<std::unique_ptr<Journal>> open(const std::string& path);
  ~Journal() override;

  const std::vector<Case>& loaded() const override { return m_loaded; }
  const ReplayReport& replayReport() const override { return m_report; }
  core::Result<std::uint64_t> write(std::string_view op, const Case& c) override;
  core::Result<void> sync(std::uint64_t ticket) override;
  std::string describe() const override { return m_path; }

 private:
  Journal() = default;

  std::string m_path;
  int m_fd = -1;
  std::vector<Case> m_loaded;
  ReplayReport m_report;

  std::mutex m_mutex;
  std::condition_variable m_syncedCv;
  std::uint64_t m_size = 0;     // bytes of whole lines in the file
  std::uint64_t m_written = 0;  // tickets handed out
  std::uint64_t m_synced = 0;   // tickets durable
  bool m_syncing = false;       // a thread is in fdatasync for the others
  std::string m_failure;        // set once a write or sync failed
};

}  // namespace gridtwin::cases
