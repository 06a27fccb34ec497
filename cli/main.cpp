// gridtwin: the command-line shell over the engine.
#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.h"

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
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;  // usage error
  }
  if (app.get_subcommands().empty()) {
    std::cout << app.help();
    return 2;
  }
  return exitCode;
}
