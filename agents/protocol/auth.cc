// Token files, randomness, HMAC proofs and the two handshake halves.
//
// Proof input is unambiguous by construction: a role label, a zero byte, then every
// transcript field as a 4-byte big-endian length and its bytes (the version as
// decimal text), so no two different transcripts hash the same input. The
// controller proves first (in its challenge), the agent checks that before it sends
// anything derived from the token, and the controller then checks the agent's proof
// over the same transcript. Each object refuses to be driven out of order, so a
// proof can be accepted at most once per connection. Error messages name files and
// modes, never the token.
#include "agents/protocol/auth.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "agents/protocol/version_check.h"
#include "base/build_info.h"

namespace sweep {
namespace {

const char* RoleLabel(AuthRole role) {
  return role == AuthRole::kAgent ? "sweep-agent-proof-v1" : "sweep-controller-proof-v1";
}

void AppendField(std::string* out, const std::string& field) {
  const auto n = static_cast<uint32_t>(field.size());
  out->push_back(static_cast<char>((n >> 24) & 0xff));
  out->push_back(static_cast<char>((n >> 16) & 0xff));
  out->push_back(static_cast<char>((n >> 8) & 0xff));
  out->push_back(static_cast<char>(n & 0xff));
  out->append(field);
}

std::string Trim(const std::string& s) {
  const char* ws = " \t\r\n";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

std::string ErrnoText(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

}  // namespace

Result<AuthToken> AuthToken::FromText(const std::string& text) {
  std::string t = Trim(text);
  if (t.empty()) return Status::Usage("the agent token is empty");
  bool hex = true, b64 = true, printable = true;
  std::set<char> distinct;
  for (char c : t) {
    const auto u = static_cast<unsigned char>(c);
    distinct.insert(c);
    hex = hex && std::isxdigit(u);
    b64 = b64 && (std::isalnum(u) || c == '+' || c == '/' || c == '=' || c == '-' || c == '_');
    printable = printable && u > 0x20 && u < 0x7f;
  }
  if (!printable) {
    return Status::Usage("the agent token must be printable ASCII without spaces");
  }
  const double bits_per_char = hex ? 4.0 : (b64 ? 6.0 : 6.5);
  const double bits = bits_per_char * static_cast<double>(t.size());
  if (bits < kTokenMinEntropyBits || distinct.size() < 8) {
    return Status::Usage("the agent token is too weak: about " +
                         std::to_string(static_cast<int>(distinct.size() < 8 ? 0 : bits)) +
                         " bits of entropy, at least " + std::to_string(kTokenMinEntropyBits) +
                         " needed (64 hex characters; `sweep launch --listen` generates one)");
  }
  return AuthToken(std::move(t));
}

Result<AuthToken> LoadTokenFile(const std::string& path, bool allow_loose_mode) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Io(ErrnoText("cannot open token file", path));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const Status s = Status::Io(ErrnoText("cannot stat token file", path));
    ::close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::Usage("token file " + path + " is not a regular file");
  }
  if (!allow_loose_mode && (st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::Usage("token file " + path + " has mode " + mode +
                         ": it must not be accessible by group or others (chmod 600 " + path + ")");
  }
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const Status s = Status::Io(ErrnoText("cannot read token file", path));
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > 4096) {
      ::close(fd);
      return Status::Usage("token file " + path + " is larger than 4 KiB");
    }
  }
  ::close(fd);
  Result<AuthToken> token = AuthToken::FromText(text);
  if (!token.ok()) return Status::Usage("token file " + path + ": " + token.status().message());
  return token;
}

Result<AuthToken> GenerateTokenFile(const std::string& path) {
  const std::string secret = RandomHex(32);
  const std::string tmp = path + ".tmp." + RandomHex(4);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Io(ErrnoText("cannot create token file", tmp));
  const std::string text = secret + "\n";
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const Status s = Status::Io(ErrnoText("cannot write token file", tmp));
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    }
    done += static_cast<size_t>(n);
  }
  // fchmod too: the umask could have narrowed 0600 further, never widened it, but an
  // explicit mode makes the result independent of the caller's umask.
  if (::fchmod(fd, 0600) != 0 || ::fsync(fd) != 0) {
    const Status s = Status::Io(ErrnoText("cannot finish token file", tmp));
    ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const Status s = Status::Io(ErrnoText("cannot rename token file into", path));
    ::unlink(tmp.c_str());
    return s;
  }
  return AuthToken::FromText(secret);
}

std::string ToHex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string RandomHex(size_t n) {
  std::string bytes(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(n)) != 1) {
    std::fputs("sweep: the OpenSSL random generator failed\n", stderr);
    std::abort();
  }
  return ToHex(bytes);
}

std::string HmacSha256(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  // The length of a proof is public (always 64), so an early length check leaks nothing.
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

HandshakeTranscript MakeTranscript(const HelloMsg& hello, const ChallengeMsg& challenge) {
  return HandshakeTranscript{
      hello.version,     hello.agent_name,          hello.host,
      hello.agent_nonce, challenge.controller_name, challenge.controller_nonce};
}

std::string ComputeProof(const AuthToken& token, AuthRole role, const HandshakeTranscript& t) {
  std::string input = RoleLabel(role);
  input.push_back('\0');
  AppendField(&input, std::to_string(t.version));
  AppendField(&input, t.agent_name);
  AppendField(&input, t.agent_host);
  AppendField(&input, t.agent_nonce);
  AppendField(&input, t.controller_name);
  AppendField(&input, t.controller_nonce);
  return ToHex(HmacSha256(token.secret(), input));
}

bool VerifyProof(const AuthToken& token, AuthRole role, const HandshakeTranscript& t,
                 const std::string& proof) {
  return ConstantTimeEquals(ComputeProof(token, role, t), proof);
}

AgentHandshake::AgentHandshake(AuthToken token, std::string agent_name, std::string host)
    : token_(std::move(token)) {
  hello_.agent_name = std::move(agent_name);
  hello_.host = std::move(host);
  hello_.agent_nonce = NewNonce();
  hello_.sweep_version = ReleaseVersion();
  hello_.build = BuildCommit();
}

Result<AuthMsg> AgentHandshake::OnChallenge(const ChallengeMsg& challenge) {
  if (done_) return Status::Io("unexpected second challenge");
  done_ = true;
  if (challenge.version != kProtocolVersion) {
    return Status::Usage(ProtocolMismatchMessage(
        "controller", "agent",
        PeerVersion{challenge.version, challenge.sweep_version, challenge.build}));
  }
  // A controller that echoes our nonce back as its own could be relaying us to
  // ourselves; fresh nonces on both sides never collide.
  if (challenge.controller_nonce == hello_.agent_nonce) {
    return Status::Io("controller failed authentication (nonce reuse)");
  }
  const HandshakeTranscript t = MakeTranscript(hello_, challenge);
  if (!VerifyProof(token_, AuthRole::kController, t, challenge.proof)) {
    return Status::Io(
        "controller failed authentication: it does not know this agent's token "
        "(wrong --token-file, or not the sweep controller)");
  }
  return AuthMsg{ComputeProof(token_, AuthRole::kAgent, t)};
}

ControllerHandshake::ControllerHandshake(AuthToken token, std::string controller_name)
    : token_(std::move(token)), name_(std::move(controller_name)) {}

Result<ChallengeMsg> ControllerHandshake::OnHello(const HelloMsg& hello) {
  if (state_ != State::kAwaitHello) return Status::Io("unexpected hello");
  if (hello.version != kProtocolVersion) {
    state_ = State::kDone;
    return Status::Usage(ProtocolMismatchMessage(
        "agent", "controller", PeerVersion{hello.version, hello.sweep_version, hello.build}));
  }
  ChallengeMsg c;
  c.version = kProtocolVersion;
  c.sweep_version = ReleaseVersion();
  c.build = BuildCommit();
  c.controller_name = name_;
  c.controller_nonce = NewNonce();
  transcript_ = MakeTranscript(hello, c);
  c.proof = ComputeProof(token_, AuthRole::kController, transcript_);
  state_ = State::kAwaitAuth;
  return c;
}

Status ControllerHandshake::OnAuth(const AuthMsg& auth) {
  if (state_ != State::kAwaitAuth) return Status::Io("unexpected auth message");
  state_ = State::kDone;
  if (!VerifyProof(token_, AuthRole::kAgent, transcript_, auth.proof)) {
    return Status::Io("agent failed authentication: wrong token");
  }
  return Status::Ok();
}

}  // namespace sweep
