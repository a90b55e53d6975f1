// Status and Result<T>: the one error type for expected failures.
//
// Library exceptions (yaml-cpp, SQLite, Boost) are caught in the one file that calls
// that library and turned into a Status there; nothing else throws across a module
// boundary. Spec errors also carry where they were found (file:line:col, key path).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace sweep {

// Where in a spec file an error was found. line and col are 1-based; 0 = unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int col = 0;
  std::string key_path;  // e.g. "parameters.lr.max"; empty for the whole document

  // "file:line:col: key_path: " prefix, parts omitted when unknown.
  std::string Prefix() const;
};

// The kinds of failure callers branch on. kUsage and kInvalidSpec map to exit code 2.
enum class ErrorCode { kOk = 0, kUsage, kInvalidSpec, kNotFound, kIo, kStore, kInternal };

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  static Status Ok() { return Status(); }
  static Status Error(ErrorCode code, std::string message) {
    return Status(code, std::move(message));
  }
  static Status Usage(std::string m) { return Error(ErrorCode::kUsage, std::move(m)); }
  static Status InvalidSpec(std::string m) { return Error(ErrorCode::kInvalidSpec, std::move(m)); }
  static Status NotFound(std::string m) { return Error(ErrorCode::kNotFound, std::move(m)); }
  static Status Io(std::string m) { return Error(ErrorCode::kIo, std::move(m)); }
  static Status Store(std::string m) { return Error(ErrorCode::kStore, std::move(m)); }
  static Status Internal(std::string m) { return Error(ErrorCode::kInternal, std::move(m)); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Exit code a CLI command should return for this status: 0 ok, 2 usage/spec, 1 other.
  int ExitCode() const;

 private:
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// Either a value or a non-OK Status. Access value() only when ok().
// Both are [[nodiscard]]: a dropped Status is a failure nobody hears about; where
// ignoring one is right, the call site says so with a (void) cast and a reason.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)), status_(Status::Ok()) {}  // NOLINT: implicit
  Result(Status status) : status_(std::move(status)) {}                 // NOLINT
  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  std::optional<T> value_;
  Status status_ = Status::Internal("no value");
};

}  // namespace sweep
