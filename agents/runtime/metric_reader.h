// Metric reading: JSON lines from $SWEEP_METRICS and key=value pairs on stdout.
//
// A trial's output is untrusted: every line is bounded, malformed lines are counted
// (and the caller warns once), never fatal. Steps: a line that names "step" sets it;
// a line without one gets the previous step + 1 (the first is 0). Both channels of a
// trial share one MetricReader so that steps stay consistent.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sweep {

// How metrics are read from a trial (the spec's `reporting` extension).
struct MetricReadingOptions {
  bool metrics_file = true;  // JSON lines appended to $SWEEP_METRICS
  bool stdout_pairs = true;  // key=value pairs on stdout
  // Regex for one pair on a stdout line: group 1 the name, group 2 the value.
  // Empty = the default, a built-in scanner equivalent to
  //   (?:^|[^A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_./-]*)=([^\s,;)\]}|]+)
  // whose value must parse as a number, nan, inf or -inf (any case): names like
  // val_loss, val/loss, train.acc. A custom (ECMAScript) pattern is applied to lines
  // up to 8 KiB only (std::regex recurses per character); its values must parse too.
  std::string stdout_pattern;
  size_t max_line_bytes = 1 << 20;  // longer lines are counted as malformed
  // The key that sets the step, in JSON lines and stdout pairs; never a metric itself.
  std::string step_key = "step";
};

struct ParsedPoint {
  std::string name;
  int64_t step = 0;
  double value = 0;
  double wall = 0;  // seconds since the epoch when the line was read
};

class MetricReader {
 public:
  // Error: the stdout_pattern is not a valid regex or has fewer than 2 groups.
  static std::optional<std::string> ValidatePattern(const std::string& pattern);

  explicit MetricReader(MetricReadingOptions options);

  // Parses one JSON line ({"step": 3, "loss": 0.2, "acc": NaN}). Numbers, booleans
  // (as 0/1), NaN/Infinity/-Infinity accepted; strings and nested values ignored.
  // A line that is not a JSON object counts as malformed and yields nothing.
  std::vector<ParsedPoint> ParseJsonLine(std::string_view line, double wall);
  // Parses the key=value pairs of one stdout line; a line without pairs yields
  // nothing and is not malformed.
  std::vector<ParsedPoint> ParseStdoutLine(std::string_view line, double wall);

  // Counts a line that could not be read (e.g. skipped for its length) as malformed.
  void NoteMalformed(std::string_view line);

  uint64_t malformed_lines() const { return malformed_; }
  // The first malformed line seen (truncated to 200 bytes), for the one warning.
  const std::string& first_malformed() const { return first_malformed_; }

 private:
  MetricReadingOptions options_;
  int64_t next_step_ = 0;
  uint64_t malformed_ = 0;
  std::string first_malformed_;
  struct Pattern;
  std::shared_ptr<Pattern> pattern_;
};

// Text from a trial as valid UTF-8: each byte that is not part of a well-formed
// sequence becomes U+FFFD. Metric names, the first malformed line and stderr tails
// pass through it, so stores and JSON writers never see invalid UTF-8.
std::string ValidUtf8(std::string_view text);

// Reads complete lines appended to a file since the last call (the file may not
// exist yet, may grow, may end in a partial line that is kept for the next call).
// Lines longer than max_line_bytes are skipped and counted.
class FileTailer {
 public:
  explicit FileTailer(std::string path, size_t max_line_bytes = 1 << 20);
  // New complete lines. With final = true, a trailing partial line is returned too.
  std::vector<std::string> ReadLines(bool final = false);
  // The same, streamed: on_line sees each line (valid during the call only), so a
  // large backlog never sits in memory whole. At most max_bytes are read per call
  // unless final (then up to the end). Returns the number of lines delivered.
  size_t ReadLines(const std::function<void(std::string_view)>& on_line, bool final = false,
                   uint64_t max_bytes = 16ull << 20);
  uint64_t skipped_long_lines() const { return skipped_; }
  // Bytes of the file read so far, a kept partial line included: a call that read
  // max_bytes advanced it by at least max_bytes (whole lines delivered may be fewer
  // bytes, when the slice ends inside a line).
  uint64_t offset() const { return offset_; }

 private:
  std::string path_;
  size_t max_line_bytes_;
  uint64_t offset_ = 0;
  std::string partial_;
  bool skipping_ = false;
  uint64_t skipped_ = 0;
};

}  // namespace sweep
