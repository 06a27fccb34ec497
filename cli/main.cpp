// gridtwin: the command-line shell over the engine.
#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.h"
#include "io.h"

int main(int argc, char** argv) {
  CLI::App app{"gridtwin: a GIS digital twin of a city district for grid-based governance"};
  app.set_version_flag("--version", std::string("gridtwin ") + GRIDTWIN_VERSION);
  app.require_subcommand(0, 1);
  int exitCode = 0;
  gridtwin::cli::addTransformCommand(app, exitCode);
  gridtwin::cli::addGenerateCommand(app, exitCode);
  gridtwin::cli::addInfoCommand(app, exitCode);
  gridtwin::cli::addParseCommand(app, exitCode);
  gridtwin::cli::addGeocodeCommand(app, exitCode);
  gridtwin::cli::addIngestCommand(app, exitCode);
  gridtwin::cli::addExportCommand(app, exitCode);
  gridtwin::cli::addLocateCommand(app, exitCode);
  gridtwin::cli::addQueryCommand(app, exitCode);
  gridtwin::cli::addNearCommand(app, exitCode);
  gridtwin::cli::addStatsCommand(app, exitCode);
  gridtwin::cli::addValidateCommand(app, exitCode);
  gridtwin::cli::addGridReportCommand(app, exitCode);
  gridtwin::cli::addEditPreviewCommand(app, exitCode);
  gridtwin::cli::addRenderCommand(app, exitCode);
  gridtwin::cli::addCaseCommand(app, exitCode);
  gridtwin::cli::addTileCommand(app, exitCode);
  gridtwin::cli::addExportQgisCommand(app, exitCode);
  gridtwin::cli::addServeCommand(app, exitCode);
  gridtwin::cli::addBimCommand(app, exitCode);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return gridtwin::cli::finishOutput(app.exit(e), "");
  } catch (const CLI::CallForAllHelp& e) {
    return gridtwin::cli::finishOutput(app.exit(e), "");
  } catch (const CLI::CallForVersion& e) {
    return gridtwin::cli::finishOutput(app.exit(e), "");
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;  // usage error
  }
  if (app.get_subcommands().empty()) {
    std::cout << app.help();
    return gridtwin::cli::finishOutput(2, "");
  }
  // Every command's output is checked here: a full disk or a closed pipe is
  // an error, not a silent exit 0 (README, "The command line").
  return gridtwin::cli::finishOutput(exitCode, app.get_subcommands().front()->get_name());
}
