#pragma once
// The streaming part of `gridtwin locate`, after the twin is open: shared by
// the full program's locate command (cli/locate_command.cpp) and the light
// front (cli/front.cpp), so that both answer, word for word and byte for
// byte, with the same code. See locate_command.cpp for what it answers and
// how it streams.
#include <string>

#include "query/access.h"
#include "query/twin.h"

namespace gridtwin::cli {

// Answers every "x,y" line of `input` (a path, or "" / "-" for stdin) in
// `crs` (already parsed: the transform to EPSG:4547) with `format` ("json",
// "jsonl" or "csv"), writing to std::cout. Returns the exit code (0, or 1 for
// bad input with the message on stderr as "gridtwin locate: ...", 2 when a
// worker's transformer cannot be made). Does not flush-check stdout: the
// caller ends with finishOutput().
int streamLocate(const query::Twin& twin, const query::Access& access,
                 const crs::Transformer& toMetric, const std::string& formatName,
                 const std::string& input);

}  // namespace gridtwin::cli
