#pragma once
// `gridtwin serve` as a child process of the bench, and wrk's numbers: what
// every serve.* group (serve_bench.cpp, serve_tile_bench.cpp,
// serve_live_bench.cpp) shares.
#include <sys/types.h>

#include <string>
#include <vector>

#include "core/error.h"

namespace gridtwin::bench {

struct ServeChild {
  pid_t pid = -1;
  int port = 0;
  std::string base;  // "http://127.0.0.1:PORT"
};

// Starts `gridtwin serve DATASET --listen 127.0.0.1:0 --access-log off`
// plus `args` (e.g. {"--threads", "1"}), with `--tile-seed-zoom -1` unless
// `args` name it, and waits for its "listening on" line. Errors: kIo with the line it printed
// instead.
core::Result<ServeChild> startServe(const std::string& dataset,
                                    const std::vector<std::string>& args);
// The "server on one core": pins every thread of the server to CPU 0
// so that a load generator run with loadPrefix() on CPU 1 never preempts
// it. False (nothing pinned) with fewer than two cores or no taskset.
bool pinServer(const ServeChild& child);
// "taskset -c 1 " once the server is pinned, else "".
inline std::string loadPrefix(bool pinned) { return pinned ? "taskset -c 1 " : ""; }

// SIGTERM (graceful stop) and wait.
void stopServe(ServeChild& child);

// `v` with `digits` decimals, for a figure's note.
std::string fixed(double v, int digits = 2);

// A number of wrk's output in ms ("99%  1.23ms", "50%  310.00us") or as
// written ("Requests/sec:  1234.5"); 0 when absent.
double wrkNumber(const std::string& out, const std::string& key);

// A dataset path in `dir` that links to `dataset` (and its snapshot and
// dispatch rules), so that the case intake's journal (DATASET.cases.jsonl)
// is written there, not beside the caller's dataset. `dir` is emptied first.
core::Result<std::string> linkedDataset(const std::string& dataset, const std::string& dir);

// Raises this process's soft RLIMIT_NOFILE to its hard limit (children
// inherit it); returns the new soft limit.
std::size_t raiseFileLimit();

}  // namespace gridtwin::bench
