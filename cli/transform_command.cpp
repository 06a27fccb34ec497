#include <CLI/CLI.hpp>

#include "commands.h"

namespace gridtwin::cli {
void addTransformCommand(CLI::App&, int&) {}
}  // namespace gridtwin::cli
