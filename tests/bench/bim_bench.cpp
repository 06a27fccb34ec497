// bim.*: the district's 60 building models (the dataset's bim_models table:
// 56 generated IFC4 models and the 4 real files of ../shared/data/bim) read
// and tessellated by engine/bim on two worker threads, with the peak RSS of
// the child that does it; and one model's `bim info` (readModel of the
// AC20-FZK-Haus file, geometry included, as the command does). Anchor: IFC++'s
// own STEP reader (ReaderSTEP::loadModelFromString, no geometry) on the same
// files in the same run (IfcConvert is not packaged).
#include <ifcpp/model/BuildingModel.h>
#include <ifcpp/reader/ReaderSTEP.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "bench.h"
#include "bim/ifc_writer.h"
#include "bim/model.h"
#include "store/bim_table.h"

namespace gridtwin::bench {
namespace {

constexpr int kThreads = 2;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void quiet(void*, shared_ptr<StatusCallback::Message>) {}

double ifcppRead(const std::string& text) {
  const auto t0 = Clock::now();
  std::string copy = text;
  auto model = std::make_shared<BuildingModel>();
  ReaderSTEP reader;
  reader.setMessageCallBack(nullptr, &quiet);
  model->setMessageCallBack(nullptr, &quiet);
  reader.loadModelFromString(copy, model);
  keep(static_cast<double>(model->getMapIfcEntities().size()));
  return secondsSince(t0);
}

}  // namespace

core::Result<std::vector<Figure>> runBim(Context& ctx) {
  const std::string dataset = ctx.dataset;
  auto reply = inChild("bim models", [dataset]() -> core::Result<nlohmann::json> {
    auto rows = store::readBimModels(dataset);
    if (!rows) return rows.takeError();
    // The models' texts, read before the clock starts (the page cache's job).
    std::vector<std::pair<std::string, std::string>> texts;  // name, STEP text
    for (const auto& r : *rows) {
      texts.emplace_back(r.file, r.source == "shared"
                                     ? slurp(std::string(GRIDTWIN_SHARED_DATA) + "/" + r.file)
                                     : r.ifc);
    }
    std::atomic<std::size_t> next{0}, triangles{0};
    std::atomic<int> failed{-1};
    const auto t0 = Clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < kThreads; ++t) {
      workers.emplace_back([&] {
        for (std::size_t i; (i = next++) < texts.size();) {
          auto m = bim::parseIfc(texts[i].second, texts[i].first);
          if (!m) {
            failed = static_cast<int>(i);
            continue;
          }
          triangles += m->triangleCount();
        }
      });
    }
    for (auto& w : workers) w.join();
    const double ours = secondsSince(t0);
    if (failed >= 0) {
      return core::makeError(
          core::ErrorCode::kParse,
          "model " + texts[static_cast<std::size_t>(failed.load())].first + " did not read");
    }
    const double rss = peakRssMb();
    // The anchor, one thread per file as well.
    next = 0;
    const auto t1 = Clock::now();
    workers.clear();
    for (int t = 0; t < kThreads; ++t) {
      workers.emplace_back([&] {
        for (std::size_t i; (i = next++) < texts.size();) ifcppRead(texts[i].second);
      });
    }
    for (auto& w : workers) w.join();
    const double anchor = secondsSince(t1);
    // One model's info: the FZK-Haus file, read and tessellated.
    const std::string fzk = std::string(GRIDTWIN_SHARED_DATA) + "/bim/AC20-FZK-Haus.ifc";
    const std::string fzkText = slurp(fzk);
    const double info = bestSeconds(3, [&] {
      auto m = bim::readModel(fzk);
      keep(m ? static_cast<double>(m->triangleCount()) : -1.0);
    });
    const double infoAnchor = bestSeconds(3, [&] { ifcppRead(fzkText); });
    return nlohmann::json{{"models", texts.size()},
                          {"seconds", ours},
                          {"anchor", anchor},
                          {"rss", rss},
                          {"info", info},
                          {"info_anchor", infoAnchor},
                          {"triangles", triangles.load()}};
  });
  if (!reply) return reply.takeError();
  const auto& r = *reply;
  char note[300];
  std::snprintf(note, sizeof note,
                "%d models (scale %s), %zu triangles, %d threads; anchor: IFC++ ReaderSTEP "
                "(parse only, no geometry) on the same texts",
                r["models"].get<int>(), scaleText(ctx.scale).c_str(),
                r["triangles"].get<std::size_t>(), kThreads);
  const std::string anchorName = "IFC++ ReaderSTEP::loadModelFromString, same files, no geometry";
  return std::vector<Figure>{
      {"bim.all_models_seconds", r["seconds"].get<double>(), "s", false, anchorName,
       r["anchor"].get<double>(), note},
      {"bim.all_models_rss_mb", r["rss"].get<double>(), "MB", false, std::nullopt, std::nullopt,
       "peak RSS of the child that read and tessellated every model"},
      {"bim.info_seconds", r["info"].get<double>(), "s", false, anchorName,
       r["info_anchor"].get<double>(), "readModel(AC20-FZK-Haus.ifc) with geometry; best of 3"},
  };
}

}  // namespace gridtwin::bench
