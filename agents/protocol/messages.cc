// Message structs <-> frame payloads.
//
// Encoding builds an ordered JSON object per message and dumps it compactly with
// invalid UTF-8 replaced, so encoding never throws. Decoding first bounds the JSON
// nesting depth with a linear scan (nlohmann's parser recurses, and a frame of
// "[[[[..." must not overflow the stack), parses without exceptions, then reads each
// field through a FieldReader that records the first error with the field's path.
// Non-finite metric values travel as the strings "nan", "inf" and "-inf" because
// JSON has no literal for them. A log message is a JSON header line and raw bytes so
// that trial output (any bytes) crosses unchanged and unescaped.
#include "agents/protocol/messages.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sweep {
namespace {

constexpr int kMaxJsonDepth = 64;

std::string Dump(const Value& j) { return j.dump(-1, ' ', false, Value::error_handler_t::replace); }

// Depth of [ and { nesting outside strings; stops counting past the limit.
bool DepthWithin(std::string_view s, int limit) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : s) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

Value NumberOrName(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

// Reads typed fields from one JSON object; the first failure sticks and names the path.
class FieldReader {
 public:
  FieldReader(const Value& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) Fail("", "expected a JSON object");
  }
  const Status& status() const { return status_; }
  bool ok() const { return status_.ok(); }

  const Value* Get(const char* key, bool required) {
    if (!ok()) return nullptr;
    auto it = j_.find(key);
    if (it == j_.end() || (it->is_null() && !required)) {
      if (required) Fail(key, "missing");
      return nullptr;
    }
    return &*it;
  }
  void Str(const char* key, std::string* out, bool required = true) {
    const Value* v = Get(key, required);
    if (!v) return;
    if (!v->is_string()) return Fail(key, "expected a string");
    *out = v->get<std::string>();
  }
  template <typename Int>
  void Integer(const char* key, Int* out, bool required = true) {
    const Value* v = Get(key, required);
    if (!v) return;
    if (v->is_number_unsigned()) {
      const auto u = v->get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<Int>::max())) {
        return Fail(key, "integer out of range");
      }
      *out = static_cast<Int>(u);
    } else if (v->is_number_integer()) {
      const auto s = v->get<int64_t>();
      if (s < static_cast<int64_t>(std::numeric_limits<Int>::min()) ||
          (std::numeric_limits<Int>::is_signed &&
           s > static_cast<int64_t>(std::numeric_limits<Int>::max()))) {
        return Fail(key, "integer out of range");
      }
      *out = static_cast<Int>(s);
    } else {
      Fail(key, "expected an integer");
    }
  }
  void Number(const char* key, double* out, bool required = true, bool non_negative = true) {
    const Value* v = Get(key, required);
    if (!v) return;
    if (!v->is_number()) return Fail(key, "expected a number");
    *out = v->get<double>();
    if (non_negative && *out < 0) Fail(key, "must not be negative");
  }
  void Bool(const char* key, bool* out, bool required = true) {
    const Value* v = Get(key, required);
    if (!v) return;
    if (!v->is_boolean()) return Fail(key, "expected true or false");
    *out = v->get<bool>();
  }
  void StrList(const char* key, std::vector<std::string>* out, bool required = true) {
    const Value* v = Get(key, required);
    if (!v) return;
    if (!v->is_array()) return Fail(key, "expected an array of strings");
    out->clear();
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) {
        return Fail(std::string(key) + "[" + std::to_string(i) + "]", "expected a string");
      }
      out->push_back((*v)[i].get<std::string>());
    }
  }
  // An array of objects, each handed to parse(FieldReader&, index).
  template <typename F>
  void Objects(const char* key, F parse, bool required = true) {
    const Value* v = Get(key, required);
    if (!v) return;
    if (!v->is_array()) return Fail(key, "expected an array");
    for (size_t i = 0; i < v->size() && ok(); ++i) {
      FieldReader sub((*v)[i], path_ + "." + key + "[" + std::to_string(i) + "]");
      parse(sub);
      if (!sub.ok()) status_ = sub.status();
    }
  }
  void Fail(const std::string& key, const std::string& what) {
    if (!ok()) return;
    status_ = Status::Io(path_ + (key.empty() ? "" : "." + key) + ": " + what);
  }

 private:
  const Value& j_;
  std::string path_;
  Status status_;
};

Value Encode(const HelloMsg& m) {
  return {{"version", m.version},         {"agent_name", m.agent_name},       {"host", m.host},
          {"agent_nonce", m.agent_nonce}, {"sweep_version", m.sweep_version}, {"build", m.build}};
}
Value Encode(const ChallengeMsg& m) {
  return {{"version", m.version},
          {"controller_name", m.controller_name},
          {"controller_nonce", m.controller_nonce},
          {"proof", m.proof},
          {"sweep_version", m.sweep_version},
          {"build", m.build}};
}
Value Encode(const AuthMsg& m) { return {{"proof", m.proof}}; }
Value Encode(const AuthOkMsg& m) {
  return {{"agent_id", m.agent_id},
          {"lease_interval_s", m.lease_interval_s},
          {"lease_timeout_s", m.lease_timeout_s}};
}
Value Encode(const ReadyMsg& m) {
  Value running = Value::array();
  for (const auto& r : m.running)
    running.push_back({{"trial_id", r.trial_id}, {"lease_id", r.lease_id}});
  return {{"slots", m.slots}, {"gpus", m.gpus}, {"host", m.host}, {"running", running}};
}
// null when capture is off, so an older agent sees nothing to do.
Value EncodeProvenance(const ProvenanceLaunch& p) {
  if (!p.enabled) return nullptr;
  return {{"git", p.git},
          {"env", p.env},
          {"packages", p.packages},
          {"program", p.program},
          {"env_vars", p.env_vars},
          {"max_diff_bytes", p.max_diff_bytes},
          {"artifacts", p.artifacts},
          {"artifact_max_bytes", p.artifact_max_bytes},
          {"artifact_max_files", p.artifact_max_files},
          {"data", p.data}};
}
Value Encode(const AssignMsg& m) {
  Value env = Value::array();
  for (const auto& [k, v] : m.env) env.push_back({k, v});
  Value reading = {{"metrics_file", m.reading.metrics_file},
                   {"stdout_pairs", m.reading.stdout_pairs},
                   {"stdout_pattern", m.reading.stdout_pattern},
                   {"step_key", m.reading.step_key},
                   {"max_line_bytes", m.reading.max_line_bytes}};
  return {{"sweep_id", m.sweep_id},
          {"trial_id", m.trial_id},
          {"lease_id", m.lease_id},
          {"argv", m.argv},
          {"env", env},
          {"params", m.params},
          {"trial_dir", m.trial_dir},
          {"workdir", m.workdir},
          {"timeout_s", m.timeout_s},
          {"stop_grace_s", m.stop_grace_s},
          {"reading", reading},
          {"gpus", m.gpus ? Value(*m.gpus) : Value(nullptr)},
          {"max_log_bytes", m.max_log_bytes},
          {"metrics_poll_s", m.metrics_poll_s},
          {"provenance", EncodeProvenance(m.provenance)},
          {"system_metrics_interval_s", m.system_metrics_interval_s}};
}
Value Encode(const StartedMsg& m) {
  return {{"trial_id", m.trial_id},
          {"lease_id", m.lease_id},
          {"pid", m.pid},
          {"started_at", m.started_at}};
}
Value Encode(const MetricsMsg& m) {
  Value points = Value::array();
  for (const auto& p : m.points) {
    points.push_back(
        {{"name", p.name}, {"step", p.step}, {"value", NumberOrName(p.value)}, {"wall", p.wall}});
  }
  return {{"trial_id", m.trial_id}, {"lease_id", m.lease_id}, {"points", points}};
}
Value Encode(const FinishedMsg& m) {
  return {{"trial_id", m.trial_id},
          {"lease_id", m.lease_id},
          {"kind", m.kind},
          {"exit_code", m.exit_code},
          {"signal", m.signal},
          {"reason", m.reason},
          {"stderr_tail", m.stderr_tail},
          {"malformed_lines", m.malformed_lines},
          {"first_malformed", m.first_malformed},
          {"started_at", m.started_at},
          {"ended_at", m.ended_at},
          {"pid", m.pid},
          {"provenance", m.provenance}};
}
Value Encode(const StopMsg& m) {
  return {{"trial_id", m.trial_id},
          {"lease_id", m.lease_id},
          {"reason", m.reason},
          {"grace_s", m.grace_s}};
}
Value Encode(const HeartbeatMsg& m) { return {{"lease_ids", m.lease_ids}, {"sent_at", m.sent_at}}; }
Value Encode(const LeaseRenewedMsg& m) { return {{"renewed", m.renewed}, {"revoked", m.revoked}}; }
Value Encode(const AttachOkMsg& m) { return {{"trial_id", m.trial_id}, {"lease_id", m.lease_id}}; }
Value Encode(const AttachRefusedMsg& m) {
  return {{"trial_id", m.trial_id}, {"lease_id", m.lease_id}, {"reason", m.reason}};
}
Value Encode(const LogMsg& m) {  // the header line only; the data follows it raw
  return {{"trial_id", m.trial_id},
          {"lease_id", m.lease_id},
          {"stream", m.stream},
          {"offset", m.offset}};
}
Value Encode(const ByeMsg& m) { return {{"reason", m.reason}, {"code", m.code}}; }

bool IsHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

void Hex64(FieldReader& r, const char* key, std::string* out) {
  r.Str(key, out);
  if (r.ok() && !IsHex64(*out)) r.Fail(key, "expected 64 lowercase hex characters");
}

void TrialLease(FieldReader& r, std::string* trial_id, std::string* lease_id) {
  r.Str("trial_id", trial_id);
  r.Str("lease_id", lease_id);
  if (r.ok() && trial_id->empty()) r.Fail("trial_id", "must not be empty");
  if (r.ok() && lease_id->empty()) r.Fail("lease_id", "must not be empty");
}

Status Decode(FieldReader& r, HelloMsg* m) {
  r.Integer("version", &m->version);
  r.Str("agent_name", &m->agent_name);
  r.Str("host", &m->host);
  Hex64(r, "agent_nonce", &m->agent_nonce);
  r.Str("sweep_version", &m->sweep_version, false);
  r.Str("build", &m->build, false);
  return r.status();
}
Status Decode(FieldReader& r, ChallengeMsg* m) {
  r.Integer("version", &m->version);
  r.Str("controller_name", &m->controller_name);
  Hex64(r, "controller_nonce", &m->controller_nonce);
  Hex64(r, "proof", &m->proof);
  r.Str("sweep_version", &m->sweep_version, false);
  r.Str("build", &m->build, false);
  return r.status();
}
Status Decode(FieldReader& r, AuthMsg* m) {
  Hex64(r, "proof", &m->proof);
  return r.status();
}
Status Decode(FieldReader& r, AuthOkMsg* m) {
  r.Str("agent_id", &m->agent_id);
  r.Number("lease_interval_s", &m->lease_interval_s);
  r.Number("lease_timeout_s", &m->lease_timeout_s);
  if (r.ok() && !(m->lease_interval_s > 0 && m->lease_interval_s < m->lease_timeout_s)) {
    r.Fail("lease_interval_s", "must be positive and below lease_timeout_s");
  }
  return r.status();
}
Status Decode(FieldReader& r, ReadyMsg* m) {
  r.Integer("slots", &m->slots);
  if (r.ok() && m->slots < 0) r.Fail("slots", "must not be negative");
  r.StrList("gpus", &m->gpus);
  if (const Value* host = r.Get("host", false)) {
    if (!host->is_object())
      r.Fail("host", "expected an object");
    else
      m->host = *host;
  }
  // Optional (protocol.md 3.5): an agent with nothing to re-attach may leave it out.
  r.Objects(
      "running",
      [&](FieldReader& sub) {
        RunningTrial t;
        TrialLease(sub, &t.trial_id, &t.lease_id);
        m->running.push_back(std::move(t));
      },
      /*required=*/false);
  return r.status();
}
Status Decode(FieldReader& r, AssignMsg* m) {
  r.Str("sweep_id", &m->sweep_id);
  TrialLease(r, &m->trial_id, &m->lease_id);
  r.StrList("argv", &m->argv);
  if (r.ok() && m->argv.empty()) r.Fail("argv", "must not be empty");
  if (const Value* env = r.Get("env", false); env && !env->is_array()) {
    r.Fail("env", "expected an array of [NAME, value] pairs");
  } else if (env) {
    for (size_t i = 0; i < env->size() && r.ok(); ++i) {
      const Value& e = (*env)[i];
      if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_string() ||
          e[0].get<std::string>().empty() ||
          e[0].get<std::string>().find('=') != std::string::npos) {
        r.Fail("env[" + std::to_string(i) + "]",
               "expected [NAME, value] with a non-empty NAME without '='");
      } else {
        m->env.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
      }
    }
  }
  if (const Value* params = r.Get("params", true)) {
    if (!params->is_object())
      r.Fail("params", "expected an object");
    else
      m->params = *params;
  }
  r.Str("trial_dir", &m->trial_dir);
  if (r.ok() && !IsSafeRelativePath(m->trial_dir)) {
    r.Fail("trial_dir", "must be a relative path without '..'");
  }
  r.Str("workdir", &m->workdir, false);
  if (r.ok() && !m->workdir.empty() && !IsSafeRelativePath(m->workdir)) {
    r.Fail("workdir", "must be a relative path without '..'");
  }
  r.Number("timeout_s", &m->timeout_s, false);
  r.Number("stop_grace_s", &m->stop_grace_s, false);
  if (const Value* reading = r.Get("reading", false)) {
    FieldReader sub(*reading, "assign.reading");
    sub.Bool("metrics_file", &m->reading.metrics_file, false);
    sub.Bool("stdout_pairs", &m->reading.stdout_pairs, false);
    sub.Str("stdout_pattern", &m->reading.stdout_pattern, false);
    sub.Str("step_key", &m->reading.step_key, false);
    if (sub.ok() && m->reading.step_key.empty()) sub.Fail("step_key", "must not be empty");
    sub.Integer("max_line_bytes", &m->reading.max_line_bytes, false);
    if (!sub.ok()) return sub.status();
  }
  std::string gpus;
  if (r.Get("gpus", false)) {
    r.Str("gpus", &gpus);
    m->gpus = gpus;
  }
  r.Integer("max_log_bytes", &m->max_log_bytes, false);
  r.Number("metrics_poll_s", &m->metrics_poll_s, false);
  if (const Value* prov = r.Get("provenance", false)) {
    FieldReader sub(*prov, "assign.provenance");
    ProvenanceLaunch& p = m->provenance;
    p.enabled = true;
    sub.Bool("git", &p.git, false);
    sub.Bool("env", &p.env, false);
    sub.Bool("packages", &p.packages, false);
    sub.Str("program", &p.program, false);
    sub.StrList("env_vars", &p.env_vars, false);
    sub.Integer("max_diff_bytes", &p.max_diff_bytes, false);
    sub.StrList("artifacts", &p.artifacts, false);
    sub.Integer("artifact_max_bytes", &p.artifact_max_bytes, false);
    sub.Integer("artifact_max_files", &p.artifact_max_files, false);
    sub.StrList("data", &p.data, false);
    if (!sub.ok()) return sub.status();
  }
  r.Number("system_metrics_interval_s", &m->system_metrics_interval_s, false);
  return r.status();
}
Status Decode(FieldReader& r, StartedMsg* m) {
  TrialLease(r, &m->trial_id, &m->lease_id);
  r.Integer("pid", &m->pid);
  r.Number("started_at", &m->started_at, false);
  return r.status();
}
Status Decode(FieldReader& r, MetricsMsg* m) {
  TrialLease(r, &m->trial_id, &m->lease_id);
  r.Objects("points", [&](FieldReader& sub) {
    ParsedPoint p;
    sub.Str("name", &p.name);
    sub.Integer("step", &p.step);
    sub.Number("wall", &p.wall, false);
    if (const Value* v = sub.Get("value", true)) {
      if (v->is_number())
        p.value = v->get<double>();
      else if (*v == "nan")
        p.value = std::numeric_limits<double>::quiet_NaN();
      else if (*v == "inf")
        p.value = std::numeric_limits<double>::infinity();
      else if (*v == "-inf")
        p.value = -std::numeric_limits<double>::infinity();
      else
        sub.Fail("value", "expected a number, \"nan\", \"inf\" or \"-inf\"");
    }
    m->points.push_back(std::move(p));
  });
  return r.status();
}
Status Decode(FieldReader& r, FinishedMsg* m) {
  TrialLease(r, &m->trial_id, &m->lease_id);
  r.Str("kind", &m->kind);
  static const char* kKinds[] = {"exited", "signaled", "timed_out", "stopped", "spawn_failed"};
  if (r.ok() && std::find(std::begin(kKinds), std::end(kKinds), m->kind) == std::end(kKinds)) {
    r.Fail("kind", "unknown end kind '" + m->kind + "'");
  }
  r.Integer("exit_code", &m->exit_code);
  r.Integer("signal", &m->signal);
  r.Str("reason", &m->reason, false);
  r.Str("stderr_tail", &m->stderr_tail, false);
  r.Integer("malformed_lines", &m->malformed_lines, false);
  r.Str("first_malformed", &m->first_malformed, false);
  r.Number("started_at", &m->started_at, false);
  r.Number("ended_at", &m->ended_at, false);
  r.Integer("pid", &m->pid, false);
  if (const Value* prov = r.Get("provenance", false)) {
    if (!prov->is_object())
      r.Fail("provenance", "expected an object");
    else
      m->provenance = *prov;
  }
  return r.status();
}
Status Decode(FieldReader& r, StopMsg* m) {
  TrialLease(r, &m->trial_id, &m->lease_id);
  r.Str("reason", &m->reason);
  r.Number("grace_s", &m->grace_s, false);
  return r.status();
}
Status Decode(FieldReader& r, HeartbeatMsg* m) {
  r.StrList("lease_ids", &m->lease_ids);
  r.Number("sent_at", &m->sent_at, false);
  return r.status();
}
Status Decode(FieldReader& r, LeaseRenewedMsg* m) {
  r.StrList("renewed", &m->renewed);
  r.StrList("revoked", &m->revoked);
  return r.status();
}
Status Decode(FieldReader& r, AttachOkMsg* m) {
  TrialLease(r, &m->trial_id, &m->lease_id);
  return r.status();
}
Status Decode(FieldReader& r, AttachRefusedMsg* m) {
  TrialLease(r, &m->trial_id, &m->lease_id);
  r.Str("reason", &m->reason);
  return r.status();
}
Status Decode(FieldReader& r, ByeMsg* m) {
  r.Str("reason", &m->reason, false);
  r.Str("code", &m->code, false);
  return r.status();
}

Result<Message> DecodeLog(std::string_view payload) {
  const size_t nl = payload.find('\n');
  if (nl == std::string_view::npos) return Status::Io("log: missing the header line");
  std::string_view header = payload.substr(0, nl);
  if (!DepthWithin(header, kMaxJsonDepth)) return Status::Io("log: JSON nested too deeply");
  const Value j = Value::parse(header, nullptr, false);
  if (j.is_discarded()) return Status::Io("log: header is not valid JSON");
  LogMsg m;
  FieldReader r(j, "log");
  TrialLease(r, &m.trial_id, &m.lease_id);
  r.Str("stream", &m.stream);
  if (r.ok() && m.stream != "stdout" && m.stream != "stderr") {
    r.Fail("stream", "expected \"stdout\" or \"stderr\"");
  }
  r.Integer("offset", &m.offset);
  if (!r.ok()) return r.status();
  m.data.assign(payload.substr(nl + 1));
  if (m.data.size() > kMaxLogChunkBytes) {
    return Status::Io("log.data: " + std::to_string(m.data.size()) +
                      " bytes exceed the chunk limit of " + std::to_string(kMaxLogChunkBytes));
  }
  return Message(std::move(m));
}

template <typename T>
Result<Message> DecodeAs(const Value& j, const char* name) {
  T m;
  FieldReader r(j, name);
  Status st = Decode(r, &m);
  if (!st.ok()) return st;
  return Message(std::move(m));
}

}  // namespace

MessageType TypeOf(const Message& m) { return static_cast<MessageType>(m.index() + 1); }

static_assert(std::variant_size_v<Message> == static_cast<size_t>(MessageType::kBye));
static_assert(
    std::is_same_v<std::variant_alternative_t<static_cast<size_t>(MessageType::kLog) - 1, Message>,
                   LogMsg>);
static_assert(
    std::is_same_v<
        std::variant_alternative_t<static_cast<size_t>(MessageType::kAttachRefused) - 1, Message>,
        AttachRefusedMsg>);

std::string EncodePayload(const Message& m) {
  if (const auto* log = std::get_if<LogMsg>(&m)) return Dump(Encode(*log)) + "\n" + log->data;
  return std::visit([](const auto& msg) { return Dump(Encode(msg)); }, m);
}

Result<std::string> EncodeMessage(const Message& m, uint32_t max_frame_bytes) {
  return EncodeFrame(TypeOf(m), EncodePayload(m), max_frame_bytes);
}

Result<Message> DecodeMessage(const Frame& frame) {
  if (frame.type == MessageType::kLog) return DecodeLog(frame.payload);
  const char* name = MessageTypeName(frame.type);
  if (!DepthWithin(frame.payload, kMaxJsonDepth)) {
    return Status::Io(std::string(name) + ": JSON nested too deeply");
  }
  const Value j = Value::parse(frame.payload, nullptr, false);
  if (j.is_discarded()) return Status::Io(std::string(name) + ": payload is not valid JSON");
  switch (frame.type) {
    case MessageType::kHello:
      return DecodeAs<HelloMsg>(j, name);
    case MessageType::kChallenge:
      return DecodeAs<ChallengeMsg>(j, name);
    case MessageType::kAuth:
      return DecodeAs<AuthMsg>(j, name);
    case MessageType::kAuthOk:
      return DecodeAs<AuthOkMsg>(j, name);
    case MessageType::kReady:
      return DecodeAs<ReadyMsg>(j, name);
    case MessageType::kAssign:
      return DecodeAs<AssignMsg>(j, name);
    case MessageType::kStarted:
      return DecodeAs<StartedMsg>(j, name);
    case MessageType::kMetrics:
      return DecodeAs<MetricsMsg>(j, name);
    case MessageType::kFinished:
      return DecodeAs<FinishedMsg>(j, name);
    case MessageType::kStop:
      return DecodeAs<StopMsg>(j, name);
    case MessageType::kHeartbeat:
      return DecodeAs<HeartbeatMsg>(j, name);
    case MessageType::kLeaseRenewed:
      return DecodeAs<LeaseRenewedMsg>(j, name);
    case MessageType::kAttachOk:
      return DecodeAs<AttachOkMsg>(j, name);
    case MessageType::kAttachRefused:
      return DecodeAs<AttachRefusedMsg>(j, name);
    case MessageType::kBye:
      return DecodeAs<ByeMsg>(j, name);
    case MessageType::kLog:
      break;
  }
  return Status::Io("unknown message type " + std::to_string(static_cast<int>(frame.type)));
}

bool IsSafeRelativePath(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.find('\0') != std::string::npos) return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string_view part(path.data() + start, end - start);
    if (part.empty() || part == "..") return false;
    start = end + 1;
  }
  return true;
}

}  // namespace sweep
