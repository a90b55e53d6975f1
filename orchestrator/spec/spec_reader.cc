// Typed reading of yaml-cpp nodes, and the error list of one spec parse.
//
// yaml-cpp hands back untyped scalars with a tag of "?" (plain) or "!" (quoted);
// ResolveScalar applies the YAML 1.2 core schema to plain ones. Errors and notes are
// kept with their position and a sequence number so that the final report is sorted
// by position and stable for errors at the same place. Marks from yaml-cpp are
// 0-based; everything reported here is 1-based.
#include "orchestrator/spec/spec_reader.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

#include "orchestrator/spec/did_you_mean.h"
#include "orchestrator/spec/spec_units.h"

namespace sweep {
namespace {

// Bounds the work a document with nested aliases ("billion laughs") can cause.
constexpr size_t kMaxValueNodes = 200000;
constexpr int kMaxValueDepth = 64;

bool AllOf(std::string_view s, size_t from, bool (*pred)(char)) {
  if (from >= s.size()) return false;
  for (size_t i = from; i < s.size(); ++i)
    if (!pred(s[i])) return false;
  return true;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsOctal(char c) { return c >= '0' && c <= '7'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool IsCoreFloat(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

Scalar NullScalar() {
  Scalar s;
  s.kind = ScalarKind::kNull;
  return s;
}

// PyYAML (YAML 1.1, what W&B uses) needs a '.' and a signed exponent to read a float:
// "1e-5" and "1.0e5" are strings there, numbers here.
bool Yaml11ReadsAsString(const Scalar& s) {
  if (s.kind != ScalarKind::kFloat) return false;
  const size_t e = s.text.find_first_of("eE");
  if (e == std::string::npos || s.text[0] == '.') return false;
  const bool has_dot = s.text.find('.') < e;
  const bool signed_exp = e + 1 < s.text.size() && (s.text[e + 1] == '-' || s.text[e + 1] == '+');
  return !has_dot || !signed_exp;
}

std::string Quote(std::string_view s) {
  std::string out(s.substr(0, 40));
  if (s.size() > 40) out += "...";
  return "'" + out + "'";
}

}  // namespace

Scalar ResolveScalar(const YAML::Node& node) {
  Scalar out;
  if (!node.IsDefined() || node.IsNull()) {
    out.kind = ScalarKind::kNull;
    return out;
  }
  out.text = node.Scalar();
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return out;  // quoted: a string
  const std::string_view s = out.text;
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
    out.kind = ScalarKind::kNull;
  } else if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" ||
             s == "FALSE") {
    out.kind = ScalarKind::kBool;
    out.b = s[0] == 't' || s[0] == 'T';
  } else if (AllOf(s, (s[0] == '-' || s[0] == '+') ? 1 : 0, IsDigit) ||
             (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x'))) {
    const bool octal = s.size() > 2 && s[0] == '0' && s[1] == 'o';
    const bool hex = s.size() > 2 && s[0] == '0' && s[1] == 'x';
    if ((octal && !AllOf(s, 2, IsOctal)) || (hex && !AllOf(s, 2, IsHex))) return out;
    const int base = octal ? 8 : hex ? 16 : 10;
    const char* begin = out.text.c_str() + ((octal || hex) ? 2 : 0);
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(begin, &end, base);
    if (errno != ERANGE) {
      out.kind = ScalarKind::kInt;
      out.i = v;
      out.f = static_cast<double>(v);
    } else if (s[0] != '-') {
      errno = 0;
      unsigned long long u = std::strtoull(begin + (s[0] == '+' ? 1 : 0), &end, base);
      if (errno != ERANGE) {
        out.kind = ScalarKind::kUnsigned;
        out.u = u;
        out.f = static_cast<double>(u);
      } else {
        out.kind = ScalarKind::kBigInt;
      }
    } else {
      out.kind = ScalarKind::kBigInt;
    }
  } else if (IsCoreFloat(s)) {
    out.kind = ScalarKind::kFloat;
    out.f = std::strtod(out.text.c_str(), nullptr);
  } else if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf" || s == "+.Inf" ||
             s == "+.INF") {
    out.kind = ScalarKind::kFloat;
    out.f = HUGE_VAL;
  } else if (s == "-.inf" || s == "-.Inf" || s == "-.INF") {
    out.kind = ScalarKind::kFloat;
    out.f = -HUGE_VAL;
  } else if (s == ".nan" || s == ".NaN" || s == ".NAN") {
    out.kind = ScalarKind::kFloat;
    out.f = std::nan("");
  }
  return out;
}

std::string SpecReader::Describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "an empty value";
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  const Scalar s = ResolveScalar(node);
  switch (s.kind) {
    case ScalarKind::kNull:
      return "an empty value";
    case ScalarKind::kBool:
      return "a boolean " + s.text;
    case ScalarKind::kInt:
    case ScalarKind::kUnsigned:
    case ScalarKind::kBigInt:
      return "an integer " + s.text;
    case ScalarKind::kFloat:
      return "a number " + s.text;
    case ScalarKind::kString:
      return "a string " + Quote(s.text);
  }
  return "a value";
}

void SpecReader::Add(std::vector<Item>& to, int line, int col, const std::string& path,
                     const std::string& what) {
  SourceLocation loc{file_, line, col, path};
  to.push_back({line, col, seq_++, loc.Prefix() + what});
}

SourceLocation SpecReader::Where(const YAML::Node& at, const std::string& path) const {
  SourceLocation loc{file_, 0, 0, path};
  if (at.IsDefined() && at.Mark().line >= 0) {
    loc.line = at.Mark().line + 1;
    loc.col = at.Mark().column + 1;
  }
  return loc;
}

void SpecReader::Error(const YAML::Node& at, const std::string& path, const std::string& what,
                       const YAML::Node& fallback) {
  // An empty value's mark points at whatever follows it; its key is the better place.
  const bool empty = !at.IsDefined() || (at.IsNull() && at.Tag().empty());
  SourceLocation loc = Where(empty && fallback.IsDefined() ? fallback : at, path);
  if (loc.line == 0) loc = Where(fallback, path);
  Add(errors_, loc.line, loc.col, path, what);
}

void SpecReader::ErrorAt(int line, int col, const std::string& path, const std::string& what) {
  Add(errors_, line, col, path, what);
}

void SpecReader::Note(const YAML::Node& at, const std::string& path, const std::string& what) {
  const SourceLocation loc = Where(at, path);
  Add(notes_, loc.line, loc.col, path, what);
}

namespace {
template <typename ItemT>
std::vector<ItemT> Sorted(std::vector<ItemT> items) {
  std::sort(items.begin(), items.end(), [](const ItemT& a, const ItemT& b) {
    if (a.line != b.line) return a.line < b.line;
    if (a.col != b.col) return a.col < b.col;
    return a.seq < b.seq;
  });
  return items;
}
}  // namespace

Status SpecReader::ToStatus() const {
  if (errors_.empty()) return Status::Ok();
  std::string message;
  for (const Item& e : Sorted(errors_)) {
    if (!message.empty()) message += '\n';
    message += e.text;
  }
  return Status::InvalidSpec(message);
}

std::vector<std::string> SpecReader::Notes() const {
  std::vector<std::string> out;
  for (const Item& n : Sorted(notes_)) out.push_back(n.text);
  return out;
}

std::optional<std::vector<MapEntry>> SpecReader::Entries(const YAML::Node& node,
                                                         const std::string& path,
                                                         const YAML::Node& key_node) {
  if (!node.IsMap()) {
    Error(node, path, "expected a mapping, found " + Describe(node), key_node);
    return std::nullopt;
  }
  std::vector<MapEntry> out;
  std::vector<MapEntry> merged;  // from "<<: *anchor", overridden by explicit keys
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node k = it->first;  // a copy: `it->first` lives in a temporary
    if (!k.IsScalar()) {
      Error(k, path, "a key must be a plain name, found " + Describe(k));
      continue;
    }
    const std::string child = path.empty() ? k.Scalar() : path + "." + k.Scalar();
    if (!seen.insert(k.Scalar()).second) {
      Error(k, child, "duplicate key '" + k.Scalar() + "' (YAML would silently keep only one)");
      continue;
    }
    if (k.Scalar() == "<<" && k.Tag() == "?") {
      // YAML merge key (W&B's PyYAML honours it): a mapping or a list of mappings.
      std::vector<YAML::Node> sources;
      if (it->second.IsSequence()) {
        for (size_t i = 0; i < it->second.size(); ++i) sources.push_back(it->second[i]);
      } else {
        sources.push_back(it->second);
      }
      for (const YAML::Node& src : sources) {
        if (!src.IsMap()) {
          Error(src, child, "a merge key (<<) needs a mapping, found " + Describe(src), k);
          continue;
        }
        for (auto m = src.begin(); m != src.end(); ++m)
          if (m->first.IsScalar()) merged.push_back({m->first.Scalar(), m->first, m->second});
      }
      continue;
    }
    out.push_back({k.Scalar(), k, it->second});
  }
  std::set<std::string> have;
  for (const MapEntry& e : out) have.insert(e.key);
  for (const MapEntry& e : merged)
    if (have.insert(e.key).second) out.push_back(e);
  return out;
}

std::optional<std::string> SpecReader::UnknownKey(const MapEntry& entry,
                                                  const std::string& parent_path,
                                                  const std::vector<std::string>& known,
                                                  const std::string& what) {
  const std::string path = parent_path.empty() ? entry.key : parent_path + "." + entry.key;
  std::string msg = "unknown " + what + " '" + entry.key + "'";
  auto suggestion = DidYouMean(entry.key, known);
  if (suggestion) {
    msg += "; did you mean '" + *suggestion + "'?";
  } else {
    std::string list;
    for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
    msg += " (known: " + list + ")";
  }
  Error(entry.key_node, path, msg);
  return suggestion;
}

std::optional<double> SpecReader::Number(const MapEntry& e, const std::string& path, bool finite) {
  const Scalar s = e.value.IsScalar() ? ResolveScalar(e.value) : NullScalar();
  const bool numeric =
      e.value.IsScalar() && (s.kind == ScalarKind::kInt || s.kind == ScalarKind::kUnsigned ||
                             s.kind == ScalarKind::kFloat || s.kind == ScalarKind::kBigInt);
  if (!numeric) {
    Error(e.value, path, "expected a number, found " + Describe(e.value), e.key_node);
    return std::nullopt;
  }
  if (s.kind == ScalarKind::kBigInt) {
    Error(e.value, path, "number " + s.text + " is too large");
    return std::nullopt;
  }
  if (finite && !std::isfinite(s.f)) {
    Error(e.value, path, "expected a finite number, found " + s.text);
    return std::nullopt;
  }
  NoteYaml11Float(e.value, path, s);
  return s.f;
}

std::optional<int64_t> SpecReader::Int(const MapEntry& e, const std::string& path) {
  const Scalar s = e.value.IsScalar() ? ResolveScalar(e.value) : NullScalar();
  if (e.value.IsScalar() && (s.kind == ScalarKind::kUnsigned || s.kind == ScalarKind::kBigInt)) {
    Error(e.value, path, "integer " + s.text + " is too large");
    return std::nullopt;
  }
  if (!e.value.IsScalar() || s.kind != ScalarKind::kInt) {
    Error(e.value, path, "expected an integer, found " + Describe(e.value), e.key_node);
    return std::nullopt;
  }
  return s.i;
}

std::optional<int64_t> SpecReader::IntInRange(const MapEntry& e, const std::string& path,
                                              int64_t lo, int64_t hi) {
  auto v = Int(e, path);
  if (!v) return std::nullopt;
  if (*v < lo || *v > hi) {
    std::string range = hi == INT64_MAX
                            ? ">= " + std::to_string(lo)
                            : "in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    Error(e.value, path, "must be an integer " + range + ", found " + std::to_string(*v));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> SpecReader::Bool(const MapEntry& e, const std::string& path) {
  const Scalar s = e.value.IsScalar() ? ResolveScalar(e.value) : NullScalar();
  if (!e.value.IsScalar() || s.kind != ScalarKind::kBool) {
    std::string hint;
    if (e.value.IsScalar() && s.kind == ScalarKind::kString &&
        (s.text == "yes" || s.text == "no" || s.text == "on" || s.text == "off"))
      hint = " (YAML 1.2: write true or false)";
    Error(e.value, path, "expected true or false, found " + Describe(e.value) + hint, e.key_node);
    return std::nullopt;
  }
  return s.b;
}

std::optional<std::string> SpecReader::Text(const MapEntry& e, const std::string& path) {
  if (!e.value.IsScalar() || ResolveScalar(e.value).kind == ScalarKind::kNull) {
    Error(e.value, path, "expected a string, found " + Describe(e.value), e.key_node);
    return std::nullopt;
  }
  return e.value.Scalar();
}

std::optional<std::vector<std::string>> SpecReader::TextList(const MapEntry& e,
                                                             const std::string& path) {
  if (!e.value.IsSequence()) {
    Error(e.value, path, "expected a list of strings, found " + Describe(e.value), e.key_node);
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (size_t i = 0; i < e.value.size(); ++i) {
    const YAML::Node item = e.value[i];
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    if (!item.IsScalar() || ResolveScalar(item).kind == ScalarKind::kNull) {
      Error(item, item_path, "expected a string, found " + Describe(item), e.value);
      ok = false;
      continue;
    }
    out.push_back(item.Scalar());
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<double> SpecReader::Duration(const MapEntry& e, const std::string& path) {
  const std::string kExpected =
      "expected a duration (seconds, or text like \"90s\", \"30m\", \"2h\", \"1h30m\")";
  const Scalar s = e.value.IsScalar() ? ResolveScalar(e.value) : NullScalar();
  const bool ok_kind =
      s.kind == ScalarKind::kInt || s.kind == ScalarKind::kFloat || s.kind == ScalarKind::kString;
  if (!e.value.IsScalar() || !ok_kind) {
    Error(e.value, path, kExpected + ", found " + Describe(e.value), e.key_node);
    return std::nullopt;
  }
  if (s.kind != ScalarKind::kString && (s.f < 0 || !std::isfinite(s.f) || s.f > 1e9)) {
    Error(e.value, path, "duration must be between 0 and 1e9 seconds, found " + s.text);
    return std::nullopt;
  }
  if (s.kind != ScalarKind::kString) return s.f;
  auto seconds = ParseDuration(s.text);
  if (!seconds) Error(e.value, path, kExpected + ", found " + Describe(e.value));
  return seconds;
}

std::optional<uint64_t> SpecReader::Bytes(const MapEntry& e, const std::string& path) {
  const std::string kExpected = "expected a size in bytes (an integer, or text like \"500MB\")";
  const Scalar s = e.value.IsScalar() ? ResolveScalar(e.value) : NullScalar();
  if (s.kind == ScalarKind::kInt && s.i >= 0) return static_cast<uint64_t>(s.i);
  if (s.kind == ScalarKind::kInt) {
    Error(e.value, path, "size must be >= 0, found " + s.text);
    return std::nullopt;
  }
  if (s.kind == ScalarKind::kString) {
    if (auto bytes = ParseByteSize(s.text)) return bytes;
  }
  Error(e.value, path, kExpected + ", found " + Describe(e.value), e.key_node);
  return std::nullopt;
}

void SpecReader::NoteYaml11Float(const YAML::Node& node, const std::string& path, const Scalar& s) {
  if (!Yaml11ReadsAsString(s)) return;
  Note(node, path,
       s.text +
           " is a number here (YAML 1.2), but W&B's YAML 1.1 loader reads it as a string; "
           "write it with a dot and a signed exponent (e.g. 1.0e-5) to mean the same in both");
}

std::optional<Value> SpecReader::ToValue(const YAML::Node& node, const std::string& path) {
  Value out;
  if (ToValueRec(node, path, out, 0)) return out;
  // Report a blown limit once, at the value the user wrote, not deep inside it.
  if (too_deep_) {
    too_deep_ = false;
    Error(node, path,
          "value nested more than " + std::to_string(kMaxValueDepth) +
              " levels deep (a recursive alias?)");
  } else if (value_nodes_ > kMaxValueNodes && !budget_reported_) {
    budget_reported_ = true;
    Error(node, path,
          "the document expands to more than " + std::to_string(kMaxValueNodes) +
              " values (aliases nested too deep?)");
  }
  return std::nullopt;
}

bool SpecReader::ToValueRec(const YAML::Node& node, const std::string& path, Value& out,
                            int depth) {
  if (++value_nodes_ > kMaxValueNodes) return false;
  if (depth > kMaxValueDepth) {
    too_deep_ = true;
    return false;
  }
  if (!node.IsDefined() || node.IsNull()) {
    out = nullptr;
    return true;
  }
  if (node.IsSequence()) {
    out = Value::array();
    for (size_t i = 0; i < node.size(); ++i) {
      Value item;
      if (!ToValueRec(node[i], path + "[" + std::to_string(i) + "]", item, depth + 1)) return false;
      out.push_back(std::move(item));
    }
    return true;
  }
  if (node.IsMap()) {
    out = Value::object();
    auto entries = Entries(node, path, YAML::Node());
    if (!entries) return false;
    for (const MapEntry& e : *entries) {
      Value item;
      if (!ToValueRec(e.value, path + "." + e.key, item, depth + 1)) return false;
      out[e.key] = std::move(item);
    }
    return true;
  }
  const Scalar s = ResolveScalar(node);
  switch (s.kind) {
    case ScalarKind::kNull:
      out = nullptr;
      return true;
    case ScalarKind::kBool:
      out = s.b;
      return true;
    case ScalarKind::kInt:
      out = s.i;
      return true;
    case ScalarKind::kUnsigned:
      out = s.u;
      return true;
    case ScalarKind::kBigInt:
      Error(node, path, "integer " + s.text + " does not fit in 64 bits");
      return false;
    case ScalarKind::kFloat:
      if (!std::isfinite(s.f)) {
        Error(node, path, "number " + s.text + " is not finite (or overflows a double)");
        return false;
      }
      NoteYaml11Float(node, path, s);
      out = s.f;
      return true;
    case ScalarKind::kString:
      out = s.text;
      return true;
  }
  return false;
}

}  // namespace sweep
