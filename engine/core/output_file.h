#pragma once
// Every file gridtwin writes goes through here: one place that decides how an
// output path may be written without losing data.
//
//  - An output that is one of the inputs (same device and inode, through any
//    path or link) is refused: checkOutput().
//  - An existing target whose mode bits give this user no write permission
//    is refused (the bits, not access(): root is refused too); so is a folder,
//    a block device or a socket.
//  - A regular target is written all-or-nothing: a temporary file beside it,
//    renamed over it on commit, keeping the old file's mode. A symlink is
//    written through to its target; the link stays.
//  - A FIFO, a character device or "-" (stdout) is streamed to: the finished
//    temporary file is copied into it, never renamed over it.
//  - Temporary files are registered with a signal-safe registry: SIGINT,
//    SIGTERM, SIGHUP or SIGQUIT unlink them (and their SQLite journals) and
//    re-raise. Stale temporaries of a dead process (".NAME.tmp-PID.*") are
//    removed by the next writer of the same target.
//
// Not thread-safe per object; the registry itself may be used from several
// threads.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace gridtwin::core {

// Refuses `path` as an output when it names the same file as one of `inputs`
// (missing inputs and "-" are skipped), or when writeTarget() would. `option`
// names the option in messages ("--out", "--to").
Result<void> checkOutput(const std::string& path, const std::vector<std::string>& inputs,
                         std::string_view option = "--out");

// One output being written. Move-only; destroying it before commit() removes
// the temporary file (and its -journal, -wal, -shm).
class OutputFile {
 public:
  // Prepares `path` for writing. The temporary file's name ends in `suffix`
  // (".gpkg" for GDAL's GPKG driver, ".png"); it does not exist yet — the
  // writer creates it at temporaryPath().
  static Result<OutputFile> begin(const std::string& path, std::string_view suffix = ".part");

  OutputFile(OutputFile&&) noexcept;
  OutputFile& operator=(OutputFile&&) noexcept;
  ~OutputFile();

  // Where the writer writes until commit().
  const std::string& temporaryPath() const;
  // The path as given.
  const std::string& path() const;
  // True for a FIFO, a character device or "-".
  bool streamed() const;

  // Renames the finished temporary file onto the target (keeping an existing
  // file's mode) or copies it into the stream. Errors name the path as given.
  Result<void> commit();

 private:
  struct Impl;
  explicit OutputFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

// The signal-safe registry behind OutputFile, for writers that make their own
// temporary files. registerTemporary() installs the handlers on first use and
// returns a slot (-1 when the registry is full: the file is then not cleaned
// on a signal, nothing else changes). On SIGINT, SIGTERM, SIGHUP or SIGQUIT
// the handler unlinks every registered path and the same path + "-journal",
// "-wal" and "-shm", restores the default action and re-raises the signal.
int registerTemporary(const std::string& path);
void unregisterTemporary(int slot);

// Removes ".NAME.tmp-PID.*" beside `target` (NAME its file name) whose PID is
// no longer running; returns the paths removed.
std::vector<std::string> removeStaleTemporaries(const std::string& target);

}  // namespace gridtwin::core
