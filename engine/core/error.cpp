#include "core/error.h"

namespace gridtwin::core {

const char* errorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kEmptyInput:
      return "empty_input";
    case ErrorCode::kWriteFailed:
      return "write_failed";
    case ErrorCode::kParse:
      return "parse";
    case ErrorCode::kSyntax:
      return "syntax";
    case ErrorCode::kBadNumber:
      return "bad_number";
    case ErrorCode::kUnexpectedEnd:
      return "unexpected_end";
    case ErrorCode::kInvalidUtf8:
      return "invalid_utf8";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kGeometry:
      return "geometry";
    case ErrorCode::kNonFinite:
      return "non_finite";
    case ErrorCode::kUnclosedRing:
      return "unclosed_ring";
    case ErrorCode::kTooFewPoints:
      return "too_few_points";
    case ErrorCode::kInvalidGeometry:
      return "invalid_geometry";
    case ErrorCode::kGeosFailure:
      return "geos_failure";
    case ErrorCode::kCrs:
      return "crs";
    case ErrorCode::kUnknownCrs:
      return "unknown_crs";
    case ErrorCode::kTransformFailed:
      return "transform_failed";
    case ErrorCode::kOutOfDomain:
      return "out_of_domain";
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kStore:
      return "store";
  }
  return "unknown";
}

std::string Error::toString() const {
  if (context.empty()) return message;
  return context + ": " + message;
}

Error Error::withContext(const std::string& outer) && {
  if (outer.empty()) return std::move(*this);
  context = context.empty() ? outer : outer + ": " + context;
  return std::move(*this);
}

}  // namespace gridtwin::core
