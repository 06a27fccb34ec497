#pragma once
// The whole of `gridtwin transform` after its options are read: shared by
// the full program (cli/transform_command.cpp) and the light front
// (cli/front.cpp), so that both print the same bytes and messages.
#include <string>

namespace gridtwin::cli {

// Parses the CRS names, then transforms every "x,y" line of `input` (a path,
// or "" / "-" for stdin) to std::cout. Returns the exit code: 0; 1 bad input
// ("gridtwin transform: stdin:3: ..." on stderr); 2 an unknown CRS. The
// caller ends with finishOutput().
int runTransform(const std::string& from, const std::string& to, const std::string& input);

}  // namespace gridtwin::cli
