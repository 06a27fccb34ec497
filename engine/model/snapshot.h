#pragma once
// The district's binary snapshot: a file that holds every column as a flat
// section, reopened with mmap so that "open" costs a header check, a checksum
// pass and a structural validate(), and no parsing (see README.md for the
// layout, the reasons and the numbers).
//
// A snapshot records a stamp of the source it was built from (size, mtime,
// inode, a hash of its first and last 64 KiB); openSnapshot() refuses one
// whose stamp differs, whose format version or byte order differ, or whose
// sizes or checksums do not add up. Refusal is an Error, never a crash: the
// caller rebuilds from the source.
#include <cstdint>
#include <string>

#include "core/error.h"
#include "model/district.h"

namespace gridtwin::model {

// Bump on any change to the layout, to visitColumns() or to an enum's values.
inline constexpr std::uint32_t kSnapshotFormatVersion = 1;

struct SourceStamp {
  std::uint64_t size = 0;
  std::int64_t mtimeNs = 0;
  std::uint64_t inode = 0;
  std::uint64_t contentHash = 0;  // of the first and last 64 KiB
  friend bool operator==(const SourceStamp&, const SourceStamp&) = default;
};

// Errors: kNotFound / kIo naming the path.
core::Result<SourceStamp> stampOf(const std::string& path);

// "<source>.snap": where the snapshot of a dataset file is kept
// (store::openDataset writes and reads it there).
inline std::string snapshotPathFor(const std::string& sourcePath) { return sourcePath + ".snap"; }

enum class SnapshotCheck {
  kFull,       // header, section table and every section's checksum (default)
  kHeaderOnly  // header and section table only; validate() still bounds every index
};

// How much of the district openSnapshot() maps and checks.
enum class SnapshotPart {
  kAll,
  // The admin geography only: streets, communities, grids, the layer list
  // and the code lists (industries, facility types, departments, event
  // categories). Every register of records (roads, buildings, addresses,
  // houses, people, entities, facilities, events) comes back empty, its
  // sections neither read nor checksummed: what `gridtwin locate` needs,
  // without touching the bulk of the file.
  kAdminGeography
};

// Writes `district` to `path` atomically: a temporary file beside it, renamed
// over `path` once complete. No fsync: a snapshot torn by a crash fails its
// checks on the next open and is rebuilt. Errors: kWriteFailed naming the path.
core::Result<void> writeSnapshot(const District& district, const SourceStamp& source,
                                 const std::string& path);

// Maps `path` read-only and returns a District whose columns point into the
// mapping (kept alive by the District). `expected` is the current source's
// stamp. Errors (kStore, naming the path and what failed): missing file,
// wrong magic/version/byte order, stale stamp, truncated file, a section out
// of bounds, a checksum mismatch, a failed validate().
// With SnapshotPart::kAdminGeography the registers of records are empty
// (see above); the header, the section table and the parts read are checked
// as for kAll.
core::Result<District> openSnapshot(const std::string& path, const SourceStamp& expected,
                                    SnapshotCheck check = SnapshotCheck::kFull,
                                    SnapshotPart part = SnapshotPart::kAll);

// The checksum used for sections (exposed for tests): a fast 64-bit hash.
std::uint64_t checksum(const void* data, std::size_t bytes);

}  // namespace gridtwin::model
