#pragma once
// Subcommands of the gridtwin CLI. Each add*Command registers its options on
// the app and sets a callback that stores the exit code in `exitCode`:
// 0 success, 1 bad input (message on stderr names the input), 2 usage error.
namespace CLI {
class App;
}

namespace gridtwin::cli {

void addTransformCommand(CLI::App& app, int& exitCode);
void addGenerateCommand(CLI::App& app, int& exitCode);
void addInfoCommand(CLI::App& app, int& exitCode);
void addParseCommand(CLI::App& app, int& exitCode);
void addGeocodeCommand(CLI::App& app, int& exitCode);
void addIngestCommand(CLI::App& app, int& exitCode);
void addExportCommand(CLI::App& app, int& exitCode);
void addLocateCommand(CLI::App& app, int& exitCode);
void addQueryCommand(CLI::App& app, int& exitCode);
void addNearCommand(CLI::App& app, int& exitCode);
void addStatsCommand(CLI::App& app, int& exitCode);
void addValidateCommand(CLI::App& app, int& exitCode);
void addGridReportCommand(CLI::App& app, int& exitCode);
void addEditPreviewCommand(CLI::App& app, int& exitCode);
void addRenderCommand(CLI::App& app, int& exitCode);
void addCaseCommand(CLI::App& app, int& exitCode);
void addTileCommand(CLI::App& app, int& exitCode);
void addExportQgisCommand(CLI::App& app, int& exitCode);
void addServeCommand(CLI::App& app, int& exitCode);
void addBimCommand(CLI::App& app, int& exitCode);

}  // namespace gridtwin::cli
