// gridtwin export-qgis <dataset> <out.qgs> [--service URL] [--layer-catalog CSV]
//
// A QGIS project for the dataset: the layer tree grouped by the catalogue's
// categories, each catalogue layer a GeoPackage layer of the dataset with its
// catalogue style (layers/qgis_style.h); with --service, a group holding the
// service's OGC API – Features collections (QGIS's OAPIF provider) and its
// vector tiles (/tiles/{z}/{x}/{y}.mvt).
//
// Exit codes: 0 ok; 1 bad input (an unreadable dataset or catalogue, an
// unwritable output); 2 usage (the output names the dataset).
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.h"
#include "core/output_file.h"
#include "io.h"
#include "layers/catalog.h"
#include "layers/qgis_style.h"
#include "model/district.h"
#include "store/vector_file.h"

namespace gridtwin::cli {
namespace {

struct Failure {
  int exitCode = 1;
  std::string message;
};

int fail(const Failure& f) {
  std::cerr << "gridtwin export-qgis: " << f.message << '\n';
  return f.exitCode;
}

struct ExportQgisOptions {
  std::string dataset;
  std::string out;
  std::string service;
  std::string layerCatalog;
};

int runExportQgis(const ExportQgisOptions& o) {
  if (auto c = checkOutput(o.out, {o.dataset}, "output"); !c) {
    return fail({refusalExitCode(c.error()), c.error().toString()});
  }
  auto specs = layers::loadLayerCatalog(o.layerCatalog);
  if (!specs) return fail({1, specs.error().toString()});
  auto file = store::VectorFile::open(o.dataset);
  if (!file) return fail({1, file.error().toString()});
  layers::QgisProjectInput in;
  in.gpkgPath = std::filesystem::absolute(o.dataset).string();
  for (const layers::LayerSpec& spec : *specs) {
    if (file->layer(spec.table)) in.layers.push_back(spec);
  }
  if (in.layers.empty()) {
    return fail(
        {1, o.dataset + ": no layer of the catalogue " + o.layerCatalog + " is in this dataset"});
  }
  if (!o.service.empty()) {
    in.serviceUrl = o.service;
    for (auto kind : {model::Kind::kStreet, model::Kind::kCommunity, model::Kind::kGrid,
                      model::Kind::kRoad, model::Kind::kBuilding, model::Kind::kAddress,
                      model::Kind::kEntity, model::Kind::kFacility, model::Kind::kEvent}) {
      const std::string id(model::kindTable(kind));
      in.serviceCollections.push_back({id, "服务 " + id});
    }
  }
  const std::string xml = layers::qgisProject(in);
  auto output = core::OutputFile::begin(o.out, ".qgs");
  if (!output) return fail({1, output.error().toString()});
  {
    std::ofstream stream(output->temporaryPath(), std::ios::binary);
    stream << xml;
    if (!stream.flush()) return fail({1, o.out + ": cannot write"});
  }
  if (auto c = output->commit(); !c) return fail({1, c.error().toString()});
  std::cout << "wrote " << o.out << ": " << in.layers.size() << " catalogue layers"
            << (o.service.empty() ? std::string()
                                  : ", " + std::to_string(in.serviceCollections.size()) +
                                        " service collections and its vector tiles")
            << "\n";
  return 0;
}

}  // namespace

void addExportQgisCommand(CLI::App& app, int& exitCode) {
  auto* cmd = app.add_subcommand("export-qgis", "A QGIS project (.qgs) of the dataset, styled");
  auto o = std::make_shared<ExportQgisOptions>();
  o->layerCatalog = std::string(GRIDTWIN_SOURCE_DIR) + "/layers/catalog.csv";
  cmd->add_option("dataset", o->dataset, "Dataset GeoPackage")->required();
  cmd->add_option("output", o->out, "the .qgs project to write")->required();
  cmd->add_option("--service", o->service,
                  "the gridtwin service's URL (http://host:port): adds its OGC API layers and "
                  "vector tiles");
  cmd->add_option("--layer-catalog", o->layerCatalog, "The layer catalogue (CSV)");
  cmd->callback([o, &exitCode] { exitCode = runExportQgis(*o); });
}

}  // namespace gridtwin::cli
