// gridtwin: the light front of the command line.
//
// Why: the full program (gridtwin-full, main.cpp) links about 150 shared
// libraries (GDAL, Qt, GEOS, IFC, libpq, ...); loading them and running their
// static initialisers costs ~70 ms before main(), more than a million points
// take to locate. The streaming commands are meant to be used in pipelines,
// many times over (issue 11: >= 5 million points/s end to end), so this
// program links only what `locate` from a valid snapshot and `transform`
// need (core, crs with PROJ, model, index, query without its GDAL part, the
// staff reader's SQLite) and answers those itself, with the same code as the
// full program (locate_stream.cpp, transform_stream.cpp).
//
// Everything else is the full program's: any other command, --help,
// --version, any option or form this front does not read exactly (a repeated
// option, an unknown one, a value starting with '-'), and every case where
// the fast path cannot serve before reading any input (an unknown CRS or
// role, a scope the role may not hold, a dataset without a valid snapshot,
// which the full program loads and snapshots). Then the front exec()s the
// full program with the same arguments (same process, same pid, stdin
// untouched), so that every message, exit code and side effect is exactly
// the full program's. Once the front has started answering, it finishes:
// bad lines, read and write errors are reported by the shared code as the
// full program reports them.
//
// The full program is found beside this one (build/bin/gridtwin-full), or
// in ../libexec/gridtwin/ for an installed layout.
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "crs/crs.h"
#include "crs/transformer.h"
#include "io.h"
#include "locate_stream.h"
#include "query/access.h"
#include "query/twin.h"
#include "transform_stream.h"

namespace {

using namespace gridtwin;

// The options of a command as this front reads them: "--name value" or
// "--name=value" for the names given, each at most once, and up to
// `maxPositional` positional arguments. nullopt for anything else.
struct Parsed {
  std::vector<std::pair<std::string, std::string>> options;
  std::vector<std::string> positional;
  const std::string* option(std::string_view name) const {
    for (const auto& [n, v] : options) {
      if (n == name) return &v;
    }
    return nullptr;
  }
};

std::optional<Parsed> parseArgs(int argc, char** argv,
                                std::initializer_list<std::string_view> names,
                                std::size_t maxPositional) {
  Parsed out;
  for (int i = 2; i < argc; ++i) {
    const std::string_view t = argv[i];
    if (t.starts_with("--")) {
      std::string_view name = t.substr(2), value;
      const auto eq = name.find('=');
      if (eq != std::string_view::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else {
        if (i + 1 >= argc) return std::nullopt;
        value = argv[++i];
      }
      // An empty value or one that looks like an option: the full parser's call.
      if (value.empty() || value.starts_with("-")) return std::nullopt;
      bool known = false;
      for (const std::string_view n : names) known = known || n == name;
      if (!known || out.option(name)) return std::nullopt;
      out.options.emplace_back(std::string(name), std::string(value));
    } else if (t.starts_with("-") && t != "-") {
      return std::nullopt;
    } else {
      if (out.positional.size() >= maxPositional) return std::nullopt;
      out.positional.emplace_back(t);
    }
  }
  return out;
}

std::string valueOr(const Parsed& p, std::string_view name, const std::string& fallback) {
  const std::string* v = p.option(name);
  return v ? *v : fallback;
}

// `gridtwin locate` from a valid snapshot; nullopt when the full program
// must answer (nothing has been read or written then).
std::optional<int> tryLocate(int argc, char** argv) {
  const auto args = parseArgs(argc, argv, {"crs", "format", "role", "scope"}, 2);
  if (!args || args->positional.empty()) return std::nullopt;
  const std::string format = valueOr(*args, "format", "json");
  if (format != "json" && format != "jsonl" && format != "csv") return std::nullopt;
  auto crs = crs::parseCrs(valueOr(*args, "crs", "EPSG:4490"));
  if (!crs) return std::nullopt;
  auto toMetric = crs::Transformer::create(*crs, crs::kGaussKruger114);
  if (!toMetric) return std::nullopt;
  query::Role role;
  if (!query::parseRole(valueOr(*args, "role", "planner"), role)) return std::nullopt;
  query::Twin::Options options;
  options.adminOnly = true;  // as the full locate: the grids, their links and heads
  auto twin = query::Twin::openSnapshot(args->positional[0], options);
  if (!twin) return std::nullopt;
  auto access = query::makeAccess((*twin)->district(), role, valueOr(*args, "scope", ""));
  if (!access) return std::nullopt;
  const std::string input = args->positional.size() > 1 ? args->positional[1] : std::string();
  const int code = cli::streamLocate(**twin, *access, *toMetric, format, input);
  return cli::finishOutput(code, "locate");
}

std::optional<int> tryTransform(int argc, char** argv) {
  const auto args = parseArgs(argc, argv, {"from", "to"}, 1);
  if (!args || !args->option("from") || !args->option("to")) return std::nullopt;
  const std::string input = args->positional.empty() ? std::string() : args->positional[0];
  const int code = cli::runTransform(*args->option("from"), *args->option("to"), input);
  return cli::finishOutput(code, "transform");
}

// Replaces this process with the full program, same arguments.
int execFull(char** argv) {
  std::string self(PATH_MAX, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", self.data(), self.size() - 1);
  std::string dir = ".";
  if (n > 0) {
    self.resize(static_cast<std::size_t>(n));
    const auto slash = self.rfind('/');
    if (slash != std::string::npos) dir = self.substr(0, slash);
  }
  std::string tried;
  for (const std::string& path :
       {dir + "/gridtwin-full", dir + "/../libexec/gridtwin/gridtwin-full"}) {
    ::execv(path.c_str(), argv);
    tried += (tried.empty() ? "" : ", ") + path + " (" + std::strerror(errno) + ")";
  }
  std::cerr << "gridtwin: cannot run the full program: " << tried << '\n';
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // GRIDTWIN_FULL=1: always the full program (to compare the two).
  const char* forced = std::getenv("GRIDTWIN_FULL");
  const bool full = forced && std::string_view(forced) == "1";
  if (!full && argc >= 2) {
    const std::string_view command = argv[1];
    std::optional<int> code;
    if (command == "locate") code = tryLocate(argc, argv);
    if (command == "transform") code = tryTransform(argc, argv);
    if (code) return *code;
  }
  return execFull(argv);
}
