// Shared-token authentication for the agent protocol (OpenSSL lives in this pair only).
//
// Controller and agents share a secret token (a file, 0600). A connection proves
// knowledge of it both ways without sending it: each side sends a fresh 32-byte
// nonce, and each side sends HMAC-SHA256(token, role label || transcript), where the
// transcript binds the protocol version, both names and both nonces. The role label
// differs per side, so a controller's proof cannot be reflected back as an agent's;
// fresh nonces make a recorded proof useless on any other connection. Proofs are
// compared in constant time (CRYPTO_memcmp). The token is never logged: no function
// here puts it in a Status message, and AuthToken has no way to print it.
#pragma once

#include <string>

#include "agents/protocol/messages.h"
#include "base/status.h"

namespace sweep {

inline constexpr int kTokenMinEntropyBits = 256;

// The shared secret. Copyable; the bytes are reachable only through secret(), which
// exists for the HMAC below and for writing the token file.
class AuthToken {
 public:
  // Validates the text (trimmed of surrounding whitespace): error (kUsage) when its
  // estimated entropy is under kTokenMinEntropyBits (length x log2 of its alphabet:
  // hex 4 bits/char, base64 6 bits/char, other printable ASCII 6.5 bits/char) or it
  // uses fewer than 8 distinct characters. The message never contains the token.
  static Result<AuthToken> FromText(const std::string& text);
  const std::string& secret() const { return secret_; }

 private:
  explicit AuthToken(std::string s) : secret_(std::move(s)) {}
  std::string secret_;
};

// Reads a token file. Errors: cannot be read (kIo), readable or writable by group or
// others (kUsage: "chmod 600 FILE"; skipped when allow_loose_mode), or FromText fails.
Result<AuthToken> LoadTokenFile(const std::string& path, bool allow_loose_mode = false);

// Writes a new token (32 random bytes as 64 hex chars + '\n') to path with mode
// 0600, atomically: a temporary file in the same folder, fsync, rename. Creates
// nothing else. Errors: kIo with the path and errno text.
Result<AuthToken> GenerateTokenFile(const std::string& path);

// n random bytes from the OpenSSL CSPRNG, as 2n lowercase hex chars. Aborts the
// process if the CSPRNG fails (no safe fallback exists).
std::string RandomHex(size_t n);
// A handshake nonce: RandomHex(32).
inline std::string NewNonce() { return RandomHex(32); }

// Raw 32-byte HMAC-SHA256 and its lowercase hex form.
std::string HmacSha256(const std::string& key, const std::string& data);
std::string ToHex(const std::string& bytes);

// Equal length and equal bytes, in time independent of where they differ.
bool ConstantTimeEquals(const std::string& a, const std::string& b);

enum class AuthRole { kAgent, kController };

// What both proofs are computed over: the hello and the challenge fields, minus the
// proof itself.
struct HandshakeTranscript {
  int version = kProtocolVersion;
  std::string agent_name, agent_host, agent_nonce;
  std::string controller_name, controller_nonce;
};
HandshakeTranscript MakeTranscript(const HelloMsg& hello, const ChallengeMsg& challenge);

// 64 hex chars: HMAC-SHA256(token, label(role) || 0 || length-prefixed fields).
std::string ComputeProof(const AuthToken& token, AuthRole role, const HandshakeTranscript& t);
// Recomputes and compares in constant time.
bool VerifyProof(const AuthToken& token, AuthRole role, const HandshakeTranscript& t,
                 const std::string& proof);

// The agent's half of the handshake, one object per connection. Not thread-safe.
class AgentHandshake {
 public:
  AgentHandshake(AuthToken token, std::string agent_name, std::string host);
  // The first message; carries a fresh nonce.
  const HelloMsg& hello() const { return hello_; }
  // Verifies the controller (version, then proof). Error (kUsage) naming both versions
  // when the protocol versions differ; error (kIo) "controller failed
  // authentication" when it does not know the token: the agent must close and run
  // nothing it sent. On success, the auth message to send.
  Result<AuthMsg> OnChallenge(const ChallengeMsg& challenge);

 private:
  AuthToken token_;
  HelloMsg hello_;
  bool done_ = false;
};

// The controller's half, one object per connection. Not thread-safe.
class ControllerHandshake {
 public:
  ControllerHandshake(AuthToken token, std::string controller_name);
  // Error (kUsage) on a protocol version mismatch, naming both versions and builds
  // (ProtocolMismatchMessage); else the challenge with a fresh nonce and this build.
  Result<ChallengeMsg> OnHello(const HelloMsg& hello);
  // Error (kIo) "agent failed authentication" unless the proof matches this
  // connection's transcript; also when called before OnHello or twice.
  Status OnAuth(const AuthMsg& auth);

 private:
  AuthToken token_;
  std::string name_;
  HandshakeTranscript transcript_;
  enum class State { kAwaitHello, kAwaitAuth, kDone } state_ = State::kAwaitHello;
};

}  // namespace sweep
