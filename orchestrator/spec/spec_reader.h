// Typed reading of yaml-cpp nodes for the spec parser, with error collection.
//
// Internal to the spec parser (spec_parser.cc, spec_params.cc, spec_extensions.cc):
// these are the only files that include yaml-cpp. A SpecReader collects every error
// and note with its position and key path, so that parsing goes on after the first
// mistake and the user sees all of them at once. Plain scalars are typed with the
// YAML 1.2 core schema (yaml-cpp leaves that to its caller): 3 is an int, 3.0 and
// 1e-3 are floats, true/false are booleans, ~ and null are null; quoted scalars
// are always strings. Not thread-safe; one reader per parse.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/value.h"

namespace sweep {

enum class ScalarKind { kNull, kBool, kInt, kUnsigned, kFloat, kString, kBigInt };

// A YAML scalar with its resolved type.
struct Scalar {
  ScalarKind kind = ScalarKind::kString;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  double f = 0;
  std::string text;  // the scalar as written (for strings: the string)
};

// Resolves a scalar node's type (tag "!" = quoted = string; "?" = plain).
Scalar ResolveScalar(const YAML::Node& node);

// One key/value pair of a mapping, in document order.
struct MapEntry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

class SpecReader {
 public:
  explicit SpecReader(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }

  // Records an error/note at a node (its mark), falling back to `fallback` when the
  // node has no mark (an empty value).
  void Error(const YAML::Node& at, const std::string& path, const std::string& what,
             const YAML::Node& fallback = YAML::Node());
  void ErrorAt(int line, int col, const std::string& path, const std::string& what);
  void Note(const YAML::Node& at, const std::string& path, const std::string& what);

  bool has_errors() const { return !errors_.empty(); }
  size_t error_count() const { return errors_.size(); }
  // kInvalidSpec status: one line per error, sorted by position.
  Status ToStatus() const;
  // Notes as "file:line:col: path: text", sorted by position.
  std::vector<std::string> Notes() const;

  SourceLocation Where(const YAML::Node& at, const std::string& path) const;

  // The entries of a mapping node. Reports non-scalar and duplicate keys (yaml-cpp
  // keeps both; we refuse the spec). An error and nullopt when `node` is not a mapping.
  std::optional<std::vector<MapEntry>> Entries(const YAML::Node& node, const std::string& path,
                                               const YAML::Node& key_node);

  // Reports `entry` as an unknown key with a did-you-mean hint from `known`; returns
  // the suggestion, if any.
  std::optional<std::string> UnknownKey(const MapEntry& entry, const std::string& parent_path,
                                        const std::vector<std::string>& known,
                                        const std::string& what = "key");

  // Typed getters: an error "expected X, found Y" and nullopt on a type mismatch.
  std::optional<double> Number(const MapEntry& e, const std::string& path, bool finite = true);
  std::optional<int64_t> Int(const MapEntry& e, const std::string& path);
  std::optional<bool> Bool(const MapEntry& e, const std::string& path);
  // Any non-null scalar, as written.
  std::optional<std::string> Text(const MapEntry& e, const std::string& path);
  // A list of scalars, each as written.
  std::optional<std::vector<std::string>> TextList(const MapEntry& e, const std::string& path);
  // A duration: a number of seconds or "90s", "30m", "2h", "1h30m", "250ms", "1d".
  std::optional<double> Duration(const MapEntry& e, const std::string& path);
  // A byte count: an integer or "500MB", "2GiB", "10k".
  std::optional<uint64_t> Bytes(const MapEntry& e, const std::string& path);
  // Integer with bounds (inclusive); the error names the range.
  std::optional<int64_t> IntInRange(const MapEntry& e, const std::string& path, int64_t lo,
                                    int64_t hi);

  // Converts any node to a Value keeping YAML types. Errors for integers beyond 64 bits
  // and for documents whose aliases expand past a node budget.
  std::optional<Value> ToValue(const YAML::Node& node, const std::string& path);

  // "a mapping", "a list", "a string 'x'", "an integer 3", ... for messages.
  static std::string Describe(const YAML::Node& node);

 private:
  struct Item {
    int line, col;
    size_t seq;
    std::string text;
  };
  void Add(std::vector<Item>& to, int line, int col, const std::string& path,
           const std::string& what);
  void NoteYaml11Float(const YAML::Node& node, const std::string& path, const Scalar& s);
  bool ToValueRec(const YAML::Node& node, const std::string& path, Value& out, int depth);

  std::string file_;
  std::vector<Item> errors_;
  std::vector<Item> notes_;
  size_t seq_ = 0;
  size_t value_nodes_ = 0;
  bool budget_reported_ = false;
  bool too_deep_ = false;
};

}  // namespace sweep
