#pragma once
// A test binary's own work folder and its own copy of the small district, so
// that what a load writes beside the dataset (its snapshot, a case journal)
// lands there and never beside the shared fixture. Header-only; each binary
// uses one tag.
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace gridtwin::testsupport {

// <temp>/gridtwin_<tag>_<pid>, created on first use and removed with what
// it holds when the process exits (ctest runs each test in a process of
// its own: kept, they filled the disk with copies of the district).
inline const std::filesystem::path& privateWorkDir(const std::string& tag) {
  struct Owned {
    std::filesystem::path dir;
    ~Owned() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  };
  static const Owned owned{[&tag] {
    const auto d = std::filesystem::temp_directory_path() /
                   ("gridtwin_" + tag + "_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }()};
  return owned.dir;
}

// A copy of `fixture` (the small district) in `dir`, made on first use.
inline const std::string& privateDistrict(const std::filesystem::path& dir,
                                          const std::string& fixture) {
  static const std::string path = [&] {
    const auto to = dir / "district.gpkg";
    std::filesystem::copy_file(fixture, to, std::filesystem::copy_options::overwrite_existing);
    return to.string();
  }();
  return path;
}

}  // namespace gridtwin::testsupport
