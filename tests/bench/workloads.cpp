#include "workloads.h"

#include <cmath>
#include <cstdio>

namespace gridtwin::bench {

std::vector<geo::Point> peoplePoints(const model::District& d) {
  const auto& people = d.people();
  std::vector<geo::Point> out(people.size(), model::missingPoint());
  for (std::size_t i = 0; i < people.size(); ++i) {
    const std::uint32_t house = people.house[i];
    std::int32_t address = d.houses().address[house];
    if (address < 0) address = d.buildings().address[d.houses().building[house]];
    if (address >= 0) out[i] = d.addresses().point.xy[static_cast<std::size_t>(address)];
  }
  return out;
}

geo::Polygon star(std::mt19937_64& rng, geo::Point c) {
  std::uniform_real_distribution<double> radius(300, 1500), wobble(0.7, 1.0);
  const double r = radius(rng);
  geo::Polygon p;
  for (int k = 0; k < 32; ++k) {
    const double a = 2 * M_PI * k / 32, rr = r * wobble(rng);
    p.outer.push_back({c.x + rr * std::cos(a), c.y + rr * std::sin(a)});
  }
  p.outer.push_back(p.outer.front());
  return p;
}

core::Result<std::string> shell(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return core::makeError(core::ErrorCode::kIo, "cannot run", command);
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  if (pclose(p) != 0) return core::makeError(core::ErrorCode::kIo, "failed: " + out, command);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string postgisScript(const std::string& state) {
  return "GRIDTWIN_PG_DIR='" + state + "' " + std::string(GRIDTWIN_SOURCE_DIR) +
         "/scripts/postgis ";
}

}  // namespace gridtwin::bench
