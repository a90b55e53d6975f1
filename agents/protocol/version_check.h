// Comparing the versions two peers of the agent protocol announce in hello and
// challenge: the protocol version decides whether they can talk at all, the release
// and build (base/build_info.h) only whether a warning is due. The message texts live
// here so that the controller and the agent word a mismatch the same way.
#pragma once

#include <optional>
#include <string>

#include "agents/protocol/wire.h"

namespace sweep {

// What a peer said about itself. release and build are "" for peers before 0.2.0,
// which did not send them.
struct PeerVersion {
  int protocol = kProtocolVersion;
  std::string release, build;
};

// This process: kProtocolVersion, ReleaseVersion(), BuildCommit().
PeerVersion OwnVersion();

// "sweep 0.2.0 (abc1234)", or "sweep of unknown version" when release is empty.
std::string DescribeBuild(const PeerVersion& v);

// The refusal both sides print when the protocol versions differ, naming both:
// "protocol version mismatch: the agent speaks protocol version 2 (sweep 0.3.0
// (abc1234)), this controller speaks protocol version 1 (sweep 0.2.0 (def5678)); ...".
// peer_role is "agent" or "controller" (the other side); self_role the reverse.
std::string ProtocolMismatchMessage(const std::string& peer_role, const std::string& self_role,
                                    const PeerVersion& peer);

// nullopt when the peer runs this very release and build; otherwise the warning
// ("agent 'gpu1' runs sweep 0.2.0 (abc1234), this controller sweep 0.2.0 (def5678):
// same protocol, so they work together, but ..."). who names the peer.
std::optional<std::string> BuildMismatchWarning(const std::string& who,
                                                const std::string& self_role,
                                                const PeerVersion& peer);

// The integer "version" of a hello or challenge frame's JSON payload, with its
// "sweep_version" and "build" strings when present, read even when the rest of the
// payload does not decode (a peer of another protocol version may shape its hello
// differently); nullopt when there is no integer version. Never throws.
std::optional<PeerVersion> PeekPeerVersion(const Frame& frame);

}  // namespace sweep
