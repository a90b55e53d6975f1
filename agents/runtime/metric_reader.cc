// Metric reading: a tolerant flat-JSON parser, a key=value scanner, a file tailer.
//
// JSON lines are parsed by a small hand-written parser rather than nlohmann because
// Python's json module writes NaN, Infinity and -Infinity, which strict JSON (and
// nlohmann) rejects, and because only the top level matters: nested values and
// strings are skipped without being built. The parser never recurses, so deep
// nesting in hostile input costs nothing.
//
// stdout pairs use a hand-written scanner for the default pattern (linear, no
// allocation per character) and std::regex only for a custom pattern, on lines up to
// 8 KiB, because libstdc++'s regex recurses per matched character and a megabyte
// line would overflow the stack.
//
// FileTailer re-opens the file on each call (it may not exist yet, and a re-created
// file is noticed when it shrinks), reads from its offset in 64 KiB chunks and
// splits lines; a line that grows past the bound is dropped while it streams.

// GCC 12 reports a false -Wmaybe-uninitialized inside <regex> (std::function in
// its automaton) under -fsanitize (GCC bug 105562); the warning points into library
// headers, which are included before any of our code, so it is silenced first.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include "agents/runtime/metric_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <regex>

namespace sweep {

namespace {

constexpr size_t kMaxRegexLine = 8 * 1024;
constexpr size_t kFirstMalformedBytes = 200;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsNameStart(char c) { return IsAlpha(c) || c == '_'; }
bool IsWordChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '_'; }
bool IsNameChar(char c) { return IsWordChar(c) || c == '.' || c == '/' || c == '-'; }
bool IsValueEnd(char c) {
  return IsSpace(c) || c == ',' || c == ';' || c == ')' || c == ']' || c == '}' || c == '|';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// from_chars, with out-of-range turned into what strtod would give (inf or 0).
bool ToDouble(std::string_view tok, double* out) {
  if (tok.empty()) return false;
  auto [ptr, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), *out);
  if (ptr != tok.data() + tok.size()) return false;
  if (ec == std::errc::result_out_of_range) {
    bool negative = tok.front() == '-';
    size_t e = tok.find_first_of("eE");
    bool underflow = e != std::string_view::npos && e + 1 < tok.size() && tok[e + 1] == '-';
    *out = underflow ? (negative ? -0.0 : 0.0)
                     : (negative ? -1 : 1) * std::numeric_limits<double>::infinity();
    return true;
  }
  return ec == std::errc();
}

// A number as written on stdout: decimal or exponent form, nan, inf, infinity (any
// case), an optional leading '+'.
bool ParseLooseNumber(std::string_view tok, double* out) {
  if (!tok.empty() && tok.front() == '+') tok.remove_prefix(1);
  if (tok.empty() || tok.front() == '+') return false;
  return ToDouble(tok, out);
}

// Cursor over one JSON line; every method returns false on a syntax error.
class FlatJsonParser {
 public:
  explicit FlatJsonParser(std::string_view s) : s_(s) {}

  // Calls on_number(key, value) for each top-level numeric/boolean member.
  template <typename F>
  bool Parse(F&& on_number) {
    Ws();
    if (!Eat('{')) return false;
    Ws();
    if (Eat('}')) return AtEnd();
    while (true) {
      std::string key;
      if (!String(&key)) return false;
      Ws();
      if (!Eat(':')) return false;
      Ws();
      double v;
      bool numeric = false;
      if (!Value(&v, &numeric)) return false;
      if (numeric) on_number(key, v);
      Ws();
      if (Eat('}')) return AtEnd();
      if (!Eat(',')) return false;
      Ws();
    }
  }

 private:
  bool AtEnd() {
    Ws();
    return i_ == s_.size();
  }
  void Ws() {
    while (i_ < s_.size() && IsSpace(s_[i_])) ++i_;
  }
  bool Eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) return ++i_, true;
    return false;
  }
  bool Literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  bool Value(double* v, bool* numeric) {
    if (i_ >= s_.size()) return false;
    char c = s_[i_];
    *numeric = true;
    if (c == 't') return *v = 1, Literal("true");
    if (c == 'f') return *v = 0, Literal("false");
    if (c == 'N') return *v = std::numeric_limits<double>::quiet_NaN(), Literal("NaN");
    if (c == 'I') return *v = std::numeric_limits<double>::infinity(), Literal("Infinity");
    if (c == '-' && i_ + 1 < s_.size() && s_[i_ + 1] == 'I')
      return *v = -std::numeric_limits<double>::infinity(), Literal("-Infinity");
    if (c == '-' || IsDigit(c)) return Number(v);
    *numeric = false;
    if (c == 'n') return Literal("null");
    if (c == '"') return String(nullptr);
    if (c == '{' || c == '[') return SkipNested();
    return false;
  }

  bool Number(double* v) {
    size_t start = i_;
    Eat('-');
    if (Eat('0')) {
    } else if (i_ < s_.size() && IsDigit(s_[i_])) {
      while (i_ < s_.size() && IsDigit(s_[i_])) ++i_;
    } else {
      return false;
    }
    if (Eat('.')) {
      if (i_ >= s_.size() || !IsDigit(s_[i_])) return false;
      while (i_ < s_.size() && IsDigit(s_[i_])) ++i_;
    }
    if (Eat('e') || Eat('E')) {
      if (!Eat('+')) Eat('-');
      if (i_ >= s_.size() || !IsDigit(s_[i_])) return false;
      while (i_ < s_.size() && IsDigit(s_[i_])) ++i_;
    }
    return ToDouble(s_.substr(start, i_ - start), v);
  }

  static int Hex(char c) {
    if (IsDigit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
  bool Hex4(uint32_t* cp) {
    if (i_ + 4 > s_.size()) return false;
    *cp = 0;
    for (int k = 0; k < 4; ++k) {
      int h = Hex(s_[i_++]);
      if (h < 0) return false;
      *cp = *cp * 16 + static_cast<uint32_t>(h);
    }
    return true;
  }
  static void AppendUtf8(std::string* out, uint32_t cp) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // A string; decoded into out unless out is null (then only skipped).
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') return true;
      if (c != '\\') {
        if (out) out->push_back(c);
        continue;
      }
      if (i_ >= s_.size()) return false;
      char e = s_[i_++];
      char plain = 0;
      switch (e) {
        case '"':
          plain = '"';
          break;
        case '\\':
          plain = '\\';
          break;
        case '/':
          plain = '/';
          break;
        case 'b':
          plain = '\b';
          break;
        case 'f':
          plain = '\f';
          break;
        case 'n':
          plain = '\n';
          break;
        case 'r':
          plain = '\r';
          break;
        case 't':
          plain = '\t';
          break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(i_, 2) == "\\u") {
            i_ += 2;
            uint32_t lo;
            if (!Hex4(&lo) || lo < 0xDC00 || lo >= 0xE000) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          if (out) AppendUtf8(out, cp);
          continue;
        }
        default:
          return false;
      }
      if (out) out->push_back(plain);
    }
    return false;
  }

  // Skips a nested object or array without validating its inside (tolerant, and
  // iterative, so depth costs nothing).
  bool SkipNested() {
    int depth = 0;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '"') {
        if (!String(nullptr)) return false;
        continue;
      }
      ++i_;
      if (c == '{' || c == '[') ++depth;
      if ((c == '}' || c == ']') && --depth == 0) return true;
    }
    return false;
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

std::string ValidUtf8(std::string_view text) {
  size_t i = 0, n = text.size();
  while (i < n && static_cast<unsigned char>(text[i]) < 0x80) ++i;
  if (i == n) return std::string(text);  // the common case: ASCII
  std::string out(text.substr(0, i));
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  auto cont = [&](size_t k) { return k < n && (byte(k) & 0xC0) == 0x80; };
  while (i < n) {
    unsigned char c = byte(i);
    size_t len = 0;
    if (c < 0x80) {
      len = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = cont(i + 1) ? 2 : 0;
    } else if (c >= 0xE0 && c <= 0xEF) {
      // No overlongs (E0 needs A0..BF) and no surrogates (ED needs 80..9F).
      bool ok = cont(i + 1) && cont(i + 2) && !(c == 0xE0 && byte(i + 1) < 0xA0) &&
                !(c == 0xED && byte(i + 1) > 0x9F);
      len = ok ? 3 : 0;
    } else if (c >= 0xF0 && c <= 0xF4) {
      bool ok = cont(i + 1) && cont(i + 2) && cont(i + 3) && !(c == 0xF0 && byte(i + 1) < 0x90) &&
                !(c == 0xF4 && byte(i + 1) > 0x8F);
      len = ok ? 4 : 0;
    }
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

struct MetricReader::Pattern {
  std::regex re;
};

std::optional<std::string> MetricReader::ValidatePattern(const std::string& pattern) {
  if (pattern.empty()) return std::nullopt;
  try {
    std::regex re(pattern, std::regex::ECMAScript);
    if (re.mark_count() < 2)
      return "metric pattern '" + pattern + "' needs 2 groups (name, value), it has " +
             std::to_string(re.mark_count());
  } catch (const std::regex_error& e) {
    return "metric pattern '" + pattern + "' is not a valid regex: " + e.what();
  }
  return std::nullopt;
}

MetricReader::MetricReader(MetricReadingOptions options) : options_(std::move(options)) {
  if (!options_.stdout_pattern.empty() && !ValidatePattern(options_.stdout_pattern)) {
    pattern_ = std::make_shared<Pattern>();
    pattern_->re = std::regex(options_.stdout_pattern, std::regex::ECMAScript);
  }
  // An invalid custom pattern (the caller should have validated it) falls back to
  // the default scanner rather than failing a trial.
}

namespace {

constexpr size_t kMaxMetricNameBytes = 256;

// Why `name` cannot be a metric name (a table, a log line or a CSV header could not
// show it as it is), or nullopt when it can.
std::optional<std::string> NameProblem(std::string_view name) {
  if (name.empty()) return "empty";
  if (name.size() > kMaxMetricNameBytes)
    return "longer than " + std::to_string(kMaxMetricNameBytes) + " bytes";
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return "contains a control character";
  return std::nullopt;
}

// The text the one malformed-line warning shows for a refused name: the reason and
// the name, escaped and cut to 64 bytes.
std::string RefusedName(std::string_view name, const std::string& why) {
  std::string shown;
  for (unsigned char c : name.substr(0, 64)) {
    if (c < 0x20 || c == 0x7f) {
      static const char kHex[] = "0123456789abcdef";
      shown += std::string("\\x") + kHex[c >> 4] + kHex[c & 15];
    } else {
      shown += static_cast<char>(c);
    }
  }
  if (name.size() > 64) shown += "...";
  return "metric name refused (" + why + "): \"" + shown + "\"";
}

}  // namespace

void MetricReader::NoteMalformed(std::string_view line) {
  if (malformed_++ == 0) first_malformed_ = ValidUtf8(line.substr(0, kFirstMalformedBytes));
}

// Applies the step rule to the points of one line and advances the counter.
static void AssignSteps(std::vector<ParsedPoint>& points, std::optional<int64_t> step,
                        int64_t* next_step) {
  if (points.empty() && !step) return;
  int64_t s = step ? *step : *next_step;
  for (auto& p : points) p.step = s;
  *next_step = s == std::numeric_limits<int64_t>::max() ? s : s + 1;
}

// A step value must be an integer that fits int64.
static bool ToStep(double v, int64_t* out) {
  if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) >= 9.2e18) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

std::vector<ParsedPoint> MetricReader::ParseJsonLine(std::string_view line, double wall) {
  std::vector<ParsedPoint> points;
  if (line.size() > options_.max_line_bytes) {
    NoteMalformed(line);
    return points;
  }
  std::string_view t = Trim(line);
  if (t.empty()) return points;
  std::optional<int64_t> step;
  bool bad_step = false;
  bool refused = false;  // a name was refused: the line is counted once
  bool ok = FlatJsonParser(t).Parse([&](const std::string& key, double v) {
    if (key == options_.step_key) {
      int64_t s;
      if (ToStep(v, &s))
        step = s;
      else
        bad_step = true;
      return;
    }
    // A name that is empty, over 256 bytes or has a control character is refused;
    // the line keeps its other pairs and counts once as malformed.
    if (auto why = NameProblem(key)) {
      if (!refused) NoteMalformed(RefusedName(key, *why));
      refused = true;
      return;
    }
    points.push_back(ParsedPoint{ValidUtf8(key), 0, v, wall});
  });
  if (!ok || bad_step) {
    if (!refused) NoteMalformed(line);
    return {};
  }
  AssignSteps(points, step, &next_step_);
  return points;
}

std::vector<ParsedPoint> MetricReader::ParseStdoutLine(std::string_view line, double wall) {
  std::vector<ParsedPoint> points;
  std::optional<int64_t> step;
  bool refused = false;
  auto add = [&](std::string_view name, std::string_view value) {
    double v;
    if (!ParseLooseNumber(value, &v)) return;
    if (name == options_.step_key) {
      int64_t s;
      if (ToStep(v, &s)) step = s;
      return;
    }
    if (auto why = NameProblem(name)) {
      if (!refused) NoteMalformed(RefusedName(name, *why));
      refused = true;
      return;
    }
    points.push_back(ParsedPoint{std::string(name), 0, v, wall});
  };
  if (pattern_) {
    if (line.size() > kMaxRegexLine) return points;
    using It = std::regex_iterator<std::string_view::const_iterator>;
    for (It it(line.begin(), line.end(), pattern_->re), end; it != end; ++it) {
      const auto& m = *it;
      if (!m[1].matched || !m[2].matched) continue;
      add(std::string_view(&*m[1].first, m[1].length()),
          std::string_view(&*m[2].first, m[2].length()));
    }
  } else {
    size_t i = 0, n = line.size();
    while (i < n) {
      if (!IsNameStart(line[i]) || (i > 0 && IsWordChar(line[i - 1]))) {
        ++i;
        continue;
      }
      size_t name_start = i;
      while (i < n && IsNameChar(line[i])) ++i;
      if (i >= n || line[i] != '=') continue;
      std::string_view name = line.substr(name_start, i - name_start);
      size_t value_start = ++i;
      while (i < n && !IsValueEnd(line[i])) ++i;
      add(name, line.substr(value_start, i - value_start));
    }
  }
  AssignSteps(points, step, &next_step_);
  return points;
}

FileTailer::FileTailer(std::string path, size_t max_line_bytes)
    : path_(std::move(path)), max_line_bytes_(max_line_bytes) {}

std::vector<std::string> FileTailer::ReadLines(bool final) {
  std::vector<std::string> lines;
  ReadLines([&](std::string_view l) { lines.emplace_back(l); }, final);
  return lines;
}

size_t FileTailer::ReadLines(const std::function<void(std::string_view)>& on_line, bool final,
                             uint64_t max_bytes) {
  size_t delivered = 0;
  auto emit = [&](std::string_view l) {
    ++delivered;
    on_line(l);
  };
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    struct stat st;
    if (::fstat(fd, &st) == 0 && static_cast<uint64_t>(st.st_size) < offset_) {
      offset_ = 0;  // truncated or re-created: start over
      partial_.clear();
      skipping_ = false;
    }
    std::string chunk(64 * 1024, '\0');
    uint64_t read_total = 0;
    while (final || read_total < max_bytes) {
      ssize_t r = ::pread(fd, chunk.data(), chunk.size(), static_cast<off_t>(offset_));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      offset_ += static_cast<uint64_t>(r);
      read_total += static_cast<uint64_t>(r);
      std::string_view data(chunk.data(), static_cast<size_t>(r));
      while (!data.empty()) {
        size_t nl = data.find('\n');
        std::string_view piece = data.substr(0, nl);
        if (!skipping_) {
          if (partial_.size() + piece.size() > max_line_bytes_) {
            skipping_ = true;
            partial_.clear();
            partial_.shrink_to_fit();
          } else if (nl != std::string_view::npos && partial_.empty()) {
            emit(piece);  // the common case: a whole line inside the chunk, no copy
          } else {
            partial_.append(piece);
          }
        }
        if (nl == std::string_view::npos) break;
        if (skipping_) {
          ++skipped_;
          skipping_ = false;
        } else if (!partial_.empty()) {
          emit(partial_);
          partial_.clear();
        }
        data.remove_prefix(nl + 1);
      }
    }
    ::close(fd);
  }
  if (final) {
    if (skipping_)
      ++skipped_;
    else if (!partial_.empty())
      emit(partial_);
    partial_.clear();
    skipping_ = false;
  }
  return delivered;
}

}  // namespace sweep
