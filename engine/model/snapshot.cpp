#include "model/snapshot.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <vector>

#include "core/output_file.h"

namespace gridtwin::model {
namespace {

using core::ErrorCode;
using core::makeError;

constexpr char kMagic[8] = {'G', 'T', 'W', 'I', 'N', 'S', 'N', 'P'};
constexpr std::uint32_t kByteOrderMark = 0x01020304;
constexpr std::size_t kAlign = 64;
constexpr std::size_t kNameSize = 48;

// On-disk layout, native byte order (checked through kByteOrderMark):
//   FileHeader | SectionEntry[sectionCount] | pad | section data (each 64-byte aligned)
struct FileHeader {
  char magic[8];
  std::uint32_t formatVersion;
  std::uint32_t byteOrderMark;
  std::uint64_t fileSize;
  std::uint32_t sectionCount;
  std::uint32_t reserved;
  SourceStamp source;
  std::uint64_t tableChecksum;   // over the SectionEntry array
  std::uint64_t headerChecksum;  // over this struct with this field zero
};
struct SectionEntry {
  char name[kNameSize];
  std::uint32_t elemSize;
  std::uint32_t reserved;
  std::uint64_t offset;
  std::uint64_t bytes;
  std::uint64_t checksum;
};
static_assert(sizeof(FileHeader) == 80 && sizeof(SectionEntry) == 80, "no padding bytes");

std::size_t alignUp(std::size_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

std::string errnoText() { return std::strerror(errno); }

std::uint64_t headerChecksum(FileHeader h) {
  h.headerChecksum = 0;
  return checksum(&h, sizeof h);
}

// Unmaps on destruction; the District's owner.
struct Mapping {
  void* data = MAP_FAILED;
  std::size_t size = 0;
  ~Mapping() {
    if (data != MAP_FAILED) ::munmap(data, size);
  }
};

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool writeAll(int fd, const void* data, std::size_t bytes) {
  const char* p = static_cast<const char*>(data);
  while (bytes > 0) {
    const ssize_t n = ::write(fd, p, std::min<std::size_t>(bytes, 1 << 30));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    bytes -= static_cast<std::size_t>(n);
  }
  return true;
}

std::uint64_t rotl(std::uint64_t v, int r) { return (v << r) | (v >> (64 - r)); }

}  // namespace

std::uint64_t checksum(const void* data, std::size_t bytes) {
  // Four independent lanes of multiply-rotate over 8-byte words (the inner
  // loop of xxHash64, without its finer avalanche): ~10 GB/s, enough to catch
  // torn writes and flipped bytes; not a cryptographic hash.
  constexpr std::uint64_t kP1 = 0x9E3779B185EBCA87ULL, kP2 = 0xC2B2AE3D27D4EB4FULL;
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint64_t lane[4] = {kP1 + kP2, kP2, 0, 0 - kP1};
  std::size_t i = 0;
  for (; i + 32 <= bytes; i += 32) {
    for (int k = 0; k < 4; ++k) {
      std::uint64_t w;
      std::memcpy(&w, p + i + 8 * k, 8);
      lane[k] = rotl(lane[k] + w * kP2, 31) * kP1;
    }
  }
  std::uint64_t h = rotl(lane[0], 1) + rotl(lane[1], 7) + rotl(lane[2], 12) + rotl(lane[3], 18);
  h += bytes;
  for (; i < bytes; ++i) h = rotl(h ^ (p[i] * kP1), 11) * kP2;
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  return h;
}

core::Result<SourceStamp> stampOf(const std::string& path) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) {
    return makeError(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                     "cannot open: " + errnoText(), path);
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0)
    return makeError(ErrorCode::kIo, "cannot stat: " + errnoText(), path);
  SourceStamp s;
  s.size = static_cast<std::uint64_t>(st.st_size);
  s.mtimeNs = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  s.inode = static_cast<std::uint64_t>(st.st_ino);
  constexpr std::size_t kEdge = 64 * 1024;
  std::vector<char> buf(std::min<std::size_t>(kEdge, s.size));
  std::uint64_t h = 0;
  if (!buf.empty()) {
    if (::pread(f.fd, buf.data(), buf.size(), 0) != static_cast<ssize_t>(buf.size())) {
      return makeError(ErrorCode::kIo, "cannot read: " + errnoText(), path);
    }
    h = checksum(buf.data(), buf.size());
    const auto tail = static_cast<off_t>(s.size - buf.size());
    if (::pread(f.fd, buf.data(), buf.size(), tail) != static_cast<ssize_t>(buf.size())) {
      return makeError(ErrorCode::kIo, "cannot read: " + errnoText(), path);
    }
    h = h * 31 + checksum(buf.data(), buf.size());
  }
  s.contentHash = h;
  return s;
}

core::Result<void> writeSnapshot(const District& district, const SourceStamp& source,
                                 const std::string& path) {
  const std::vector<RawSection> sections = sectionsOf(district.columns());
  std::vector<SectionEntry> table(sections.size());
  std::size_t offset = alignUp(sizeof(FileHeader) + table.size() * sizeof(SectionEntry));
  for (std::size_t i = 0; i < sections.size(); ++i) {
    SectionEntry& e = table[i];
    std::memset(&e, 0, sizeof e);
    if (sections[i].name.size() >= kNameSize) {
      return makeError(ErrorCode::kWriteFailed, "column name too long: " + sections[i].name, path);
    }
    std::memcpy(e.name, sections[i].name.data(), sections[i].name.size());
    e.elemSize = sections[i].elemSize;
    e.offset = offset;
    e.bytes = sections[i].bytes;
    e.checksum = checksum(sections[i].data, sections[i].bytes);
    offset = alignUp(offset + sections[i].bytes);
  }
  FileHeader h{};  // no padding (static_assert above), so every byte is defined
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.formatVersion = kSnapshotFormatVersion;
  h.byteOrderMark = kByteOrderMark;
  h.fileSize = offset;
  h.sectionCount = static_cast<std::uint32_t>(table.size());
  h.source = source;
  h.tableChecksum = checksum(table.data(), table.size() * sizeof(SectionEntry));
  h.headerChecksum = headerChecksum(h);

  namespace fs = std::filesystem;
  // A temporary file beside the snapshot, cleaned on a signal (core/output_file.h).
  auto output = core::OutputFile::begin(path, "");
  if (!output) return output.takeError();
  const fs::path temporary = output->temporaryPath();
  Fd f;
  f.fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (f.fd < 0)
    return makeError(ErrorCode::kWriteFailed, "cannot create: " + errnoText(), temporary.string());
  auto fail = [&](const std::string& what) {
    const std::string message = what + ": " + errnoText();
    ::close(f.fd);
    f.fd = -1;
    std::error_code ec;
    fs::remove(temporary, ec);
    return makeError(ErrorCode::kWriteFailed, message, path);
  };
  static const char kZeros[kAlign] = {};
  std::size_t written = 0;
  auto pad = [&](std::size_t to) {
    return to == written || (writeAll(f.fd, kZeros, to - written) && (written = to));
  };
  if (!writeAll(f.fd, &h, sizeof h) ||
      !writeAll(f.fd, table.data(), table.size() * sizeof(SectionEntry))) {
    return fail("cannot write the header");
  }
  written = sizeof h + table.size() * sizeof(SectionEntry);
  for (std::size_t i = 0; i < sections.size(); ++i) {
    if (!pad(table[i].offset) || !writeAll(f.fd, sections[i].data, sections[i].bytes)) {
      return fail("cannot write column " + sections[i].name);
    }
    written += sections[i].bytes;
  }
  if (!pad(offset)) return fail("cannot write the end");
  if (::close(f.fd) != 0) {
    f.fd = -1;
    return fail("cannot close");
  }
  f.fd = -1;
  return output->commit();
}

namespace {

// Whether a section belongs to a register of records (left out of
// SnapshotPart::kAdminGeography).
bool isRecordSection(std::string_view name) {
  for (std::string_view kind : {"roads.", "buildings.", "addresses.", "houses.", "people.",
                                "entities.", "facilities.", "events."}) {
    if (name.substr(0, kind.size()) == kind) return true;
  }
  return false;
}

// An offsets column (rows + 1 values): an empty register still has its one 0.
bool isOffsetsSection(std::string_view name) {
  for (std::string_view suffix : {".offsets", ".partStart", ".ringStart", ".pointStart"}) {
    if (name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
      return true;
    }
  }
  return false;
}

// The checksum read every page of a section through the mapping, which made
// the whole file resident in this process (410 MB at full scale) although a
// reader touches only the columns it uses: a viewer never reads most of the
// people register. The pages go back to the page cache (the mapping is
// private and read-only, never written, so nothing is lost); the columns a
// reader touches later come back from there with a minor fault.
void releaseCheckedPages(const std::byte* base, std::uint64_t offset, std::uint64_t bytes) {
  static const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  const std::uint64_t first = (offset + page - 1) / page * page;
  const std::uint64_t last = (offset + bytes) / page * page;
  if (last <= first) return;
  // Advice only: a kernel that refuses it leaves the pages where they are.
  (void)::madvise(const_cast<std::byte*>(base) + first, last - first, MADV_DONTNEED);
}

}  // namespace

core::Result<District> openSnapshot(const std::string& path, const SourceStamp& expected,
                                    SnapshotCheck check, SnapshotPart part) {
  auto refuse = [&](const std::string& why) { return makeError(ErrorCode::kStore, why, path); };
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) {
    return makeError(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                     "cannot open: " + errnoText(), path);
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) return refuse("cannot stat: " + errnoText());
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size < sizeof(FileHeader))
    return refuse("truncated: " + std::to_string(size) + " bytes, shorter than a header");
  auto mapping = std::make_shared<Mapping>();
  mapping->data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, f.fd, 0);
  if (mapping->data == MAP_FAILED) return refuse("cannot map: " + errnoText());
  mapping->size = size;
  const auto* base = static_cast<const std::byte*>(mapping->data);

  FileHeader h{};
  std::memcpy(static_cast<void*>(&h), base, sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0)
    return refuse("not a gridtwin snapshot (bad magic)");
  if (h.byteOrderMark != kByteOrderMark)
    return refuse("written on a machine of another byte order");
  if (h.formatVersion != kSnapshotFormatVersion) {
    return refuse("format version " + std::to_string(h.formatVersion) + ", this build reads " +
                  std::to_string(kSnapshotFormatVersion));
  }
  if (headerChecksum(h) != h.headerChecksum) return refuse("header checksum mismatch");
  if (h.fileSize != size) {
    return refuse("truncated or extended: header says " + std::to_string(h.fileSize) +
                  " bytes, file has " + std::to_string(size));
  }
  if (!(h.source == expected))
    return refuse("stale: the source GeoPackage changed since the snapshot was written");
  const std::size_t tableBytes = static_cast<std::size_t>(h.sectionCount) * sizeof(SectionEntry);
  if (h.sectionCount > 100000 || sizeof(FileHeader) + tableBytes > size)
    return refuse("section table out of bounds");
  std::vector<SectionEntry> table(h.sectionCount);
  std::memcpy(table.data(), base + sizeof(FileHeader), tableBytes);
  if (checksum(table.data(), tableBytes) != h.tableChecksum)
    return refuse("section table checksum mismatch");

  std::vector<RawSection> sections(table.size());
  for (std::size_t i = 0; i < table.size(); ++i) {
    const SectionEntry& e = table[i];
    std::string name(e.name, strnlen(e.name, kNameSize));
    if (e.offset > size || e.bytes > size - e.offset || e.offset % kAlign != 0) {
      return refuse("section " + name + " out of bounds");
    }
    if (part == SnapshotPart::kAdminGeography && isRecordSection(name)) {
      // Left out: an empty column (offsets: the one 0 of zero rows).
      static constexpr std::uint32_t kNoRows[1] = {0};
      const bool offsets = isOffsetsSection(name) && e.elemSize == sizeof kNoRows[0];
      sections[i] = {std::move(name), e.elemSize,
                     offsets ? reinterpret_cast<const std::byte*>(kNoRows) : nullptr,
                     offsets ? sizeof kNoRows : 0};
      continue;
    }
    if (check == SnapshotCheck::kFull) {
      if (checksum(base + e.offset, e.bytes) != e.checksum)
        return refuse("section " + name + " checksum mismatch");
      releaseCheckedPages(base, e.offset, e.bytes);
    }
    sections[i] = {std::move(name), e.elemSize, base + e.offset, static_cast<std::size_t>(e.bytes)};
  }
  DistrictColumns<Viewed> columns;
  if (auto r = bindSections(columns, sections); !r)
    return std::move(r.takeError()).withContext(path);
  auto district = District::fromViews(columns, mapping);
  if (!district) return std::move(district.takeError()).withContext(path);
  return district;
}

}  // namespace gridtwin::model
