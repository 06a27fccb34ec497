#pragma once
// Expected failures come back as values: Result<T> holds either a T or an
// Error{code, message, context}. Bugs are asserts, not Errors.
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace gridtwin::core {

// Grouped by domain in ranges of 100; keep numbers stable, they reach scripts.
enum class ErrorCode : int {
  kIo = 100,
  kNotFound = 101,
  kEmptyInput = 102,
  kWriteFailed = 103,
  kParse = 200,
  kSyntax = 201,
  kBadNumber = 202,
  kUnexpectedEnd = 203,
  kInvalidUtf8 = 204,
  kUnsupported = 205,
  kGeometry = 300,
  kNonFinite = 301,
  kUnclosedRing = 302,
  kTooFewPoints = 303,
  kInvalidGeometry = 304,
  kGeosFailure = 305,
  kCrs = 400,
  kUnknownCrs = 401,
  kTransformFailed = 402,
  kOutOfDomain = 403,
  kInvalidArgument = 500,
  kStore = 600,
};

// Short stable name of a code ("syntax", "unknown_crs", ...).
const char* errorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInvalidArgument;
  std::string message;  // what went wrong, with the offending value
  std::string context;  // where: "file.geojson: feature 3", "stdin:12", ...

  // "context: message" (or just the message when there is no context).
  std::string toString() const;
  // Prepends an outer place: withContext("roads.gpkg") on "line 3" gives "roads.gpkg: line 3".
  Error withContext(const std::string& outer) &&;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_v(std::move(value)) {}      // NOLINT: implicit on purpose
  Result(Error error) : m_v(std::move(error)) {}  // NOLINT

  bool ok() const { return m_v.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(m_v);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(m_v);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(m_v));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(m_v);
  }
  Error&& takeError() {
    assert(!ok());
    return std::get<1>(std::move(m_v));
  }

 private:
  std::variant<T, Error> m_v;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : m_error(std::move(error)), m_ok(false) {}  // NOLINT
  bool ok() const { return m_ok; }
  explicit operator bool() const { return m_ok; }
  const Error& error() const {
    assert(!m_ok);
    return m_error;
  }
  Error&& takeError() {
    assert(!m_ok);
    return std::move(m_error);
  }

 private:
  Error m_error;
  bool m_ok = true;
};

// Returns the error of a failed Result-valued expression from the enclosing
// function, which must itself return a Result.
#define GRIDTWIN_TRY(expr)                                \
  do {                                                    \
    auto gridtwin_try_ = (expr);                          \
    if (!gridtwin_try_) return gridtwin_try_.takeError(); \
  } while (0)

inline Error makeError(ErrorCode code, std::string message, std::string context = {}) {
  return Error{code, std::move(message), std::move(context)};
}

}  // namespace gridtwin::core
