// gridtwin transform --from CRS --to CRS [file]
//
// Reads one "x,y" point per line (lon,lat or easting,northing, whatever the
// CRS; blanks around the numbers are allowed) from the file or stdin and
// writes the transformed "x,y" to stdout, one line per input line. Blank
// lines and lines starting with '#' are copied through unchanged, so output
// line N always answers input line N. Output has 9 decimals for geographic
// CRSs (~0.1 mm) and 4 for projected ones (0.1 mm).
//
// Exit codes: 0 ok; 1 bad input (the message names the input and line, e.g.
// "stdin:3: expected 'x,y', got 'abc'"; lines before it have been written);
// 2 usage, including an unknown CRS.
//
// Streaming (point_stream.h): the input in big chunks, one worker per core
// parsing and transforming its chunk a batch at a time
// (Transformer::transformStream) into a buffer; buffers written in order.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "commands.h"
#include "transform_stream.h"

namespace gridtwin::cli {
namespace {

struct TransformOptions {
  std::string from;
  std::string to;
  std::string input;  // empty or "-": stdin
};

}  // namespace

void addTransformCommand(CLI::App& app, int& exitCode) {
  auto* command = app.add_subcommand(
      "transform",
      "Transform x,y points (one per line; '#' and blank lines copied through) between CRSs");
  // The options must outlive parsing: the callback owns them.
  auto options = std::make_shared<TransformOptions>();
  command->add_option("--from", options->from, "source CRS: EPSG:<code>, GCJ02 or BD09")
      ->required();
  command->add_option("--to", options->to, "target CRS: EPSG:<code>, GCJ02 or BD09")->required();
  command->add_option("file", options->input, "input file of x,y lines (default or '-': stdin)");
  command->callback([options, &exitCode] {
    exitCode = runTransform(options->from, options->to, options->input);
  });
}

}  // namespace gridtwin::cli
