#pragma once
// Where cases are kept durably. The Intake writes a record under its own
// lock (so the store's order is the order of the answers) and then waits,
// without that lock, until the record is durable: sync() is a group commit,
// one fsync (or one database commit) for every record written before it
// started, however many threads wait on it.
//
// Thread-safety: write() and sync() may be called from any threads at once.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cases/case.h"
#include "core/error.h"

namespace gridtwin::cases {

// What opening a store found.
struct ReplayReport {
  std::size_t records = 0;  // journal lines or rows read
  std::size_t cases = 0;    // distinct cases
  bool tornTail = false;    // an incomplete last record was ignored (and cut off)
  std::string note;         // says where and what, when tornTail
};

class CaseStore {
 public:
  virtual ~CaseStore() = default;
  // Every case stored, each in its last state, ascending by id; read once
  // when the store opens.
  virtual const std::vector<Case>& loaded() const = 0;
  virtual const ReplayReport& replayReport() const = 0;
  // Queues the record ("submit" or "transition", the case as it is after
  // it); returns a ticket for sync(). Errors: kWriteFailed/kStore naming
  // the store; the store then refuses every later write.
  virtual core::Result<std::uint64_t> write(std::string_view op, const Case& c) = 0;
  // Returns once every record up to `ticket` is durable.
  virtual core::Result<void> sync(std::uint64_t ticket) = 0;
  // Where the cases live, for messages ("data/d.gpkg.cases.jsonl").
  virtual std::string describe() const = 0;
  // False for a store another process writes (FollowedStore): the intake
  // then takes no submit or transition.
  virtual bool writable() const { return true; }
};

// The cases another process writes (a follower of a PostGIS case writer,
// pgstore::CaseFollower): loaded() is what the follower read first; every
// write is refused (kStore, `refusal`), so nothing is answered as stored
// that the writer did not commit. Later cases come through
// Intake::follow, not through the store.
class FollowedStore final : public CaseStore {
 public:
  FollowedStore(std::vector<Case> loaded, std::string place, std::string refusal)
      : m_loaded(std::move(loaded)), m_place(std::move(place)), m_refusal(std::move(refusal)) {
    m_report.records = m_report.cases = m_loaded.size();
  }
  const std::vector<Case>& loaded() const override { return m_loaded; }
  const ReplayReport& replayReport() const override { return m_report; }
  core::Result<std::uint64_t> write(std::string_view, const Case&) override {
    return core::makeError(core::ErrorCode::kStore, m_refusal, m_place);
  }
  core::Result<void> sync(std::uint64_t) override { return {}; }  // nothing is written here
  std::string describe() const override { return m_place; }
  bool writable() const override { return false; }

 private:
  std::vector<Case> m_loaded;
  std::string m_place;
  std::string m_refusal;
  ReplayReport m_report;
};

}  // namespace gridtwin::cases
