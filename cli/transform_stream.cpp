// The streaming part of `gridtwin transform` (transform_stream.h; what it
// does: transform_command.cpp's header comment).
#include "transform_stream.h"

#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "crs/crs.h"
#include "crs/transformer.h"
#include "io.h"
#include "point_stream.h"

namespace gridtwin::cli {
namespace {

// One worker's state: its own transformer (not thread-safe) and buffers.
struct TransformWorker {
  crs::Transformer transformer;
  std::vector<std::string_view> lines;  // the chunk's lines up to the first bad one
  std::vector<long> numbers;
  std::vector<std::int64_t> pointOf;  // index into in/out, -1: copied through
  std::vector<geo::Point> in, out;
};

// Whether v is so close to halfway between two `decimals`-digit outputs that
// a difference in its last bits could print it differently.
bool nearHalfway(double v, double scale) {
  const double s = std::abs(v) * scale;
  const double f = s - std::floor(s);
  return std::abs(f - 0.5) < 1e-4 || !std::isfinite(s);
}

void transformChunk(TransformWorker& w, int decimals, const stream::Chunk& chunk,
                    stream::ChunkOutput& out) {
  w.lines.clear();
  w.numbers.clear();
  w.pointOf.clear();
  w.in.clear();
  stream::forEachLineOf(chunk, [&](std::string_view line, long number) {
    const std::string_view content = stream::trim(line);
    if (content.empty() || content.front() == '#') {
      w.lines.push_back(line);
      w.numbers.push_back(number);
      w.pointOf.push_back(-1);
      return true;
    }
    geo::Point p;
    if (!stream::parsePoint(content, p.x, p.y)) {
      out.error =
          core::makeError(core::ErrorCode::kSyntax, "expected 'x,y', got " + quoteInput(line));
      out.errorLine = number;
      return false;
    }
    w.lines.push_back(line);
    w.numbers.push_back(number);
    w.pointOf.push_back(static_cast<std::int64_t>(w.in.size()));
    w.in.push_back(p);
    return true;
  });
  w.out.resize(w.in.size());
  std::size_t done = 0;
  auto r = w.transformer.transformStream(w.in, w.out, done);
  // The batch may compute a projection itself (transformStream), a
  // nanometre from PROJ's answer: where that could change the printed
  // digits, the point is asked of transform(), PROJ's own.
  const double scale = std::pow(10.0, decimals);
  for (std::size_t i = 0; i < done; ++i) {
    if (nearHalfway(w.out[i].x, scale) || nearHalfway(w.out[i].y, scale)) {
      auto q = w.transformer.transform(w.in[i]);
      if (q) w.out[i] = *q;
    }
  }
  out.text.reserve(w.in.size() * 2 * (decimals + 9));
  for (std::size_t k = 0; k < w.lines.size(); ++k) {
    const std::int64_t i = w.pointOf[k];
    if (i < 0) {
      out.text += w.lines[k];
      out.text += '\n';
      continue;
    }
    if (static_cast<std::size_t>(i) >= done) {
      out.error = r.takeError();
      out.errorLine = w.numbers[k];
      return;
    }
    const geo::Point q = w.out[static_cast<std::size_t>(i)];
    stream::appendFixed(out.text, q.x, decimals);
    out.text += ',';
    stream::appendFixed(out.text, q.y, decimals);
    out.text += '\n';
  }
}

}  // namespace

int runTransform(const std::string& fromText, const std::string& toText, const std::string& input) {
  auto from = crs::parseCrs(fromText);
  if (!from) {
    std::cerr << "gridtwin transform: --from: " << from.error().toString() << '\n';
    return 2;
  }
  auto to = crs::parseCrs(toText);
  if (!to) {
    std::cerr << "gridtwin transform: --to: " << to.error().toString() << '\n';
    return 2;
  }
  auto transformer = crs::Transformer::create(*from, *to);
  if (!transformer) {
    std::cerr << "gridtwin transform: " << transformer.error().toString() << '\n';
    return 2;
  }
  const int decimals = crs::isGeographic(*to) ? 9 : 4;
  // One transformer per worker (clones: no second database look-up).
  const unsigned workers = stream::workerCount();
  std::vector<TransformWorker> state;
  for (unsigned i = 0; i < workers; ++i) {
    auto t = transformer->clone();
    if (!t) {
      std::cerr << "gridtwin transform: " << t.error().toString() << '\n';
      return 2;
    }
    state.push_back({std::move(*t), {}, {}, {}, {}, {}});
  }
  auto reader = stream::ChunkReader::open(input);
  core::Result<void> r;
  if (!reader) r = reader.takeError();
  if (reader) {
    r = stream::run(
        *reader, workers,
        [&](unsigned w, const stream::Chunk& chunk, stream::ChunkOutput& out) {
          transformChunk(state[w], decimals, chunk, out);
        },
        [&](std::string_view text) {
          std::cout.write(text.data(), static_cast<std::streamsize>(text.size()));
        });
  }
  std::cout.flush();
  if (!r) {
    std::cerr << "gridtwin transform: " << r.error().toString() << '\n';
    return 1;
  }
  return 0;
}

}  // namespace gridtwin::cli
