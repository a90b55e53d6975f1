// Typed messages of the agent protocol and their payload encoding.
//
// Every message is a plain struct; Message is their variant. EncodeMessage turns one
// into a frame's type and payload (compact JSON, except kLog: a JSON header line, '\n',
// then the raw bytes), DecodeMessage parses and validates a frame: every field is
// checked for presence and type, and an error names the message and the field
// ("assign.argv[2]: expected a string"). Unknown extra fields are ignored so a newer
// peer may add optional fields without a version bump. Pure functions, thread-safe.
// The field meanings are in schemas/protocol.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "agents/protocol/wire.h"
#include "agents/runtime/metric_reader.h"
#include "agents/runtime/trial_runner.h"
#include "base/value.h"

namespace sweep {

inline constexpr size_t kMaxLogChunkBytes = 64 * 1024;  // data bytes in one log message
// bye.reason the controller sends when the sweep is over: an agent that gets it stops
// its trials and exits 0 instead of reconnecting (schemas/protocol.md 2.5).
inline constexpr const char* kByeSweepFinished = "sweep finished";
// bye.code of a controller that refuses an agent of another protocol version: the
// agent prints the reason and exits 2 instead of reconnecting (schemas/protocol.md 2.1).
inline constexpr const char* kByeProtocolVersion = "protocol_version";

struct HelloMsg {
  int version = kProtocolVersion;
  std::string agent_name, host;
  std::string agent_nonce;    // 64 hex chars (32 random bytes), fresh per connection
  std::string sweep_version;  // the agent's ReleaseVersion(); "" from agents before 0.2.0
  std::string build;          // the agent's BuildCommit(); "" from agents before 0.2.0
};
struct ChallengeMsg {
  int version = kProtocolVersion;
  std::string controller_name;
  std::string controller_nonce;  // 64 hex chars, fresh per connection
  std::string proof;             // controller's HMAC proof, 64 hex chars (agents/protocol/auth.h)
  std::string sweep_version, build;  // the controller's, as in HelloMsg; "" before 0.2.0
};
struct AuthMsg {
  std::string proof;  // agent's HMAC proof, 64 hex chars
};
struct AuthOkMsg {
  std::string agent_id;         // the controller's name for this agent
  double lease_interval_s = 5;  // heartbeat every this many seconds
  double lease_timeout_s = 30;  // a lease not renewed for this long expires
};
struct RunningTrial {
  std::string trial_id, lease_id;
};
struct ReadyMsg {
  int slots = 0;
  std::vector<std::string> gpus;      // device indices or UUIDs the agent may hand out
  Value host = Value::object();       // facts: hostname, os, cpus, memory_bytes, ...
  std::vector<RunningTrial> running;  // trials kept alive across a reconnect
};
struct AssignMsg {
  std::string sweep_id, trial_id, lease_id;
  std::vector<std::string> argv;  // non-empty; argv[0] looked up in PATH
  std::vector<std::pair<std::string, std::string>> env;
  Value params = Value::object();
  std::string trial_dir;  // relative to the agent's work root; no "..", not absolute
  std::string workdir;    // relative to the agent's work root; "" = the root
  double timeout_s = 0;   // 0 = none
  double stop_grace_s = 10;
  MetricReadingOptions reading;
  std::optional<std::string> gpus;  // TrialLaunch::gpus
  uint64_t max_log_bytes = 64ull << 20;
  double metrics_poll_s = 0.1;
  // What to capture where the trial runs; absent (enabled false) = nothing. The
  // data_hash_cache path is the agent's own and does not travel.
  ProvenanceLaunch provenance;
  double system_metrics_interval_s = 0;  // TrialLaunch::system_metrics_interval_s
};
struct StartedMsg {
  std::string trial_id, lease_id;
  int64_t pid = 0;
  double started_at = 0;
};
struct MetricsMsg {
  std::string trial_id, lease_id;
  std::vector<ParsedPoint> points;  // NaN and +-Inf travel as "nan", "inf", "-inf"
};
struct LogMsg {
  std::string trial_id, lease_id;
  std::string stream;   // "stdout" or "stderr"
  uint64_t offset = 0;  // of data's first byte within that stream
  std::string data;     // raw bytes, at most kMaxLogChunkBytes
};
struct FinishedMsg {
  std::string trial_id, lease_id;
  std::string kind;  // TrialEndKindName: exited, signaled, timed_out, stopped, spawn_failed
  int exit_code = -1;
  int signal = 0;
  std::string reason, stderr_tail, first_malformed;  // invalid UTF-8 becomes U+FFFD
  uint64_t malformed_lines = 0;
  double started_at = 0, ended_at = 0;
  int64_t pid = 0;             // TrialEnd::pid; 0 = none
  Value provenance = Value();  // TrialEnd::provenance; null = not captured
};
struct StopMsg {
  std::string trial_id, lease_id, reason;
  double grace_s = 10;
};
struct HeartbeatMsg {
  std::vector<std::string> lease_ids;  // every lease the agent holds
  double sent_at = 0;
};
struct LeaseRenewedMsg {
  std::vector<std::string> renewed;
  std::vector<std::string> revoked;  // unknown or expired: stop those trials now
};
struct AttachOkMsg {
  std::string trial_id, lease_id;
};
struct AttachRefusedMsg {
  std::string trial_id, lease_id, reason;  // stop the trial: it was re-queued elsewhere
};
struct ByeMsg {
  ByeMsg() = default;
  // ByeMsg{reason} stays the common spelling now that a second field exists.
  explicit ByeMsg(std::string why, std::string why_code = "")
      : reason(std::move(why)), code(std::move(why_code)) {}
  std::string reason;
  std::string code;  // "" or kByeProtocolVersion: a refusal that retrying cannot fix
};

using Message = std::variant<HelloMsg, ChallengeMsg, AuthMsg, AuthOkMsg, ReadyMsg, AssignMsg,
                             StartedMsg, MetricsMsg, LogMsg, FinishedMsg, StopMsg, HeartbeatMsg,
                             LeaseRenewedMsg, AttachOkMsg, AttachRefusedMsg, ByeMsg>;

// The wire type of a message (variant index + 1, asserted in messages.cc).
MessageType TypeOf(const Message& m);

// The frame payload for m. Never fails: strings with invalid UTF-8 are replaced
// (U+FFFD) rather than rejected; LogMsg data is carried raw.
std::string EncodePayload(const Message& m);
// A whole frame; error only when it exceeds max_frame_bytes.
Result<std::string> EncodeMessage(const Message& m,
                                  uint32_t max_frame_bytes = kDefaultMaxFrameBytes);

// Parses and validates one frame's payload. Errors are kIo and name the field.
Result<Message> DecodeMessage(const Frame& frame);

// True for a relative path with no "..", no empty name and no NUL; the agent joins it
// under its work root, so a controller cannot make a trial write elsewhere.
bool IsSafeRelativePath(const std::string& path);

}  // namespace sweep
