// Version comparison and its messages for the agent protocol.
//
// Only the protocol version gates a connection: peers of one protocol version
// understand each other's frames whatever their builds, so a build difference is a
// warning (a fix may be missing on one side), never a refusal. An empty release means
// a peer older than the field (sweep 0.1.x), which is a build difference too.
// PeekPeerVersion parses the payload on its own, with the same depth bound as the
// decoder, because DecodeMessage stops at the first field that does not fit ours.
#include "agents/protocol/version_check.h"

#include <limits>

#include "base/build_info.h"
#include "base/value.h"

namespace sweep {
namespace {

constexpr size_t kMaxPeekBytes = 64 * 1024;  // the handshake frame limit
constexpr int kMaxPeekDepth = 8;             // a hello is a flat object

// True when [ and { nest at most limit deep outside strings.
bool ShallowJson(const std::string& s, int limit) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : s) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if ((c == '[' || c == '{') && ++depth > limit) {
      return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

// A peer's version text reaches the controller's terminal before it authenticates:
// printable ASCII only, at most kMaxShown characters, so it cannot move the cursor,
// recolour the screen or flood the log.
std::string Shown(const std::string& text) {
  constexpr size_t kMaxShown = 40;
  std::string out;
  for (char c : text) {
    if (out.size() == kMaxShown) return out + "...";
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  return out;
}

}  // namespace

PeerVersion OwnVersion() { return PeerVersion{kProtocolVersion, ReleaseVersion(), BuildCommit()}; }

std::string DescribeBuild(const PeerVersion& v) {
  if (v.release.empty()) return "sweep of unknown version (before 0.2.0)";
  return "sweep " + Shown(v.release) + " (" + (v.build.empty() ? "unknown" : Shown(v.build)) + ")";
}

std::string ProtocolMismatchMessage(const std::string& peer_role, const std::string& self_role,
                                    const PeerVersion& peer) {
  const PeerVersion self = OwnVersion();
  return "protocol version mismatch: the " + peer_role + " speaks protocol version " +
         std::to_string(peer.protocol) + " (" + DescribeBuild(peer) + "), this " + self_role +
         " speaks protocol version " + std::to_string(self.protocol) + " (" + DescribeBuild(self) +
         "); install the same sweep release on the controller and every agent "
         "(compare `sweep --version` on each machine)";
}

std::optional<std::string> BuildMismatchWarning(const std::string& who,
                                                const std::string& self_role,
                                                const PeerVersion& peer) {
  const PeerVersion self = OwnVersion();
  if (peer.release == self.release && peer.build == self.build) return std::nullopt;
  return who + " runs " + DescribeBuild(peer) + ", this " + self_role + " runs " +
         DescribeBuild(self) +
         ": the protocol is the same, so they work together, but the builds differ "
         "(install the same build everywhere to rule it out when something misbehaves)";
}

std::optional<PeerVersion> PeekPeerVersion(const Frame& frame) {
  if (frame.type != MessageType::kHello && frame.type != MessageType::kChallenge) {
    return std::nullopt;
  }
  if (frame.payload.size() > kMaxPeekBytes || !ShallowJson(frame.payload, kMaxPeekDepth)) {
    return std::nullopt;
  }
  const Value j = Value::parse(frame.payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto it = j.find("version");
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  const auto v = it->get<int64_t>();
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
    return std::nullopt;
  }
  PeerVersion peer{static_cast<int>(v), "", ""};
  if (auto r = j.find("sweep_version"); r != j.end() && r->is_string()) {
    peer.release = r->get<std::string>();
  }
  if (auto b = j.find("build"); b != j.end() && b->is_string()) peer.build = b->get<std::string>();
  return peer;
}

}  // namespace sweep
