#include "agents/protocol/auth.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "test_paths.h"

namespace sweep {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "sweep-auth-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

AuthToken Token(const std::string& seed) {
  return AuthToken::FromText(ToHex(HmacSha256(seed, "token"))).value();
}

void WriteFile(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
}

TEST(Auth, HmacSha256MatchesRfc4231) {
  EXPECT_EQ(ToHex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Auth, GeneratedTokenFileIsPrivateAndLoadsBack) {
  TempDir dir;
  const std::string path = dir.File("agent.token");
  Result<AuthToken> made = GenerateTokenFile(path);
  ASSERT_TRUE(made.ok()) << made.status().message();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  Result<AuthToken> loaded = LoadTokenFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->secret(), made->secret());
  EXPECT_EQ(made->secret().size(), 64u);
  // No temporary file is left behind, and a second token differs.
  EXPECT_EQ(
      std::distance(fs::directory_iterator(fs::path(path).parent_path()), fs::directory_iterator()),
      1);
  EXPECT_NE(GenerateTokenFile(path)->secret(), made->secret());
}

TEST(Auth, TokenFileReadableByOthersIsRefusedWithoutPrintingIt) {
  TempDir dir;
  const std::string path = dir.File("loose.token");
  const std::string secret = Token("x").secret();
  WriteFile(path, secret + "\n", 0644);
  Result<AuthToken> r = LoadTokenFile(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUsage);
  EXPECT_NE(r.status().message().find("mode 0644"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("chmod 600 " + path), std::string::npos);
  EXPECT_EQ(r.status().message().find(secret), std::string::npos);
  EXPECT_TRUE(LoadTokenFile(path, /*allow_loose_mode=*/true).ok());
}

TEST(Auth, WeakOrMissingTokensAreRefused) {
  TempDir dir;
  EXPECT_EQ(LoadTokenFile(dir.File("absent")).status().code(), ErrorCode::kIo);
  for (const std::string& weak : {std::string(""), std::string("   \n"), std::string("hunter2"),
                                  ToHex("0123456789abcdef0123456789abcde"), std::string(200, 'a'),
                                  std::string("ab") + std::string(100, 'c')}) {
    const std::string path = dir.File("weak");
    WriteFile(path, weak, 0600);
    Result<AuthToken> r = LoadTokenFile(path);
    ASSERT_FALSE(r.ok()) << weak;
    if (weak.size() > 8) {
      EXPECT_EQ(r.status().message().find(weak), std::string::npos);
    }
  }
  // 43 base64 characters carry 258 bits.
  EXPECT_TRUE(AuthToken::FromText("Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo").ok());
  EXPECT_FALSE(AuthToken::FromText("Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaW").ok());
}

TEST(Auth, NoncesAreFreshAndHex) {
  const std::string a = NewNonce(), b = NewNonce();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(Auth, RightTokenAuthenticatesBothWays) {
  AgentHandshake agent(Token("k"), "gpu-a", "node1");
  ControllerHandshake controller(Token("k"), "ctl");
  Result<ChallengeMsg> ch = controller.OnHello(agent.hello());
  ASSERT_TRUE(ch.ok()) << ch.status().message();
  Result<AuthMsg> auth = agent.OnChallenge(*ch);
  ASSERT_TRUE(auth.ok()) << auth.status().message();
  EXPECT_TRUE(controller.OnAuth(*auth).ok());
  // The token itself is never part of what crosses the wire.
  const std::string secret = Token("k").secret();
  for (const Message& m : std::vector<Message>{agent.hello(), *ch, *auth}) {
    EXPECT_EQ(EncodePayload(m).find(secret), std::string::npos);
  }
}

TEST(Auth, WrongTokenFailsBothWays) {
  // The agent checks first: a controller with another token is refused.
  AgentHandshake agent(Token("agent"), "a", "h");
  ControllerHandshake controller(Token("controller"), "ctl");
  Result<ChallengeMsg> ch = controller.OnHello(agent.hello());
  ASSERT_TRUE(ch.ok());
  Result<AuthMsg> auth = agent.OnChallenge(*ch);
  ASSERT_FALSE(auth.ok());
  EXPECT_NE(auth.status().message().find("controller failed authentication"), std::string::npos);
  // An agent that skips that check and answers with its own token is refused too.
  const HandshakeTranscript t = MakeTranscript(agent.hello(), *ch);
  const Status st = controller.OnAuth(AuthMsg{ComputeProof(Token("agent"), AuthRole::kAgent, t)});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "agent failed authentication: wrong token");
}

TEST(Auth, AnAgentWithoutTheTokenIsRefused) {
  ControllerHandshake controller(Token("k"), "ctl");
  HelloMsg hello{kProtocolVersion, "intruder", "h", NewNonce(), "", ""};
  ASSERT_TRUE(controller.OnHello(hello).ok());
  EXPECT_FALSE(controller.OnAuth(AuthMsg{NewNonce()}).ok());
  // One try per connection: a second guess is not even compared.
  ControllerHandshake again(Token("k"), "ctl");
  EXPECT_FALSE(again.OnAuth(AuthMsg{NewNonce()}).ok());
}

TEST(Auth, AReplayedAgentResponseFailsOnANewConnection) {
  AgentHandshake agent(Token("k"), "a", "h");
  ControllerHandshake first(Token("k"), "ctl");
  Result<AuthMsg> recorded = agent.OnChallenge(*first.OnHello(agent.hello()));
  ASSERT_TRUE(recorded.ok());
  ASSERT_TRUE(first.OnAuth(*recorded).ok());
  // An eavesdropper replays the same hello and auth to a fresh connection.
  ControllerHandshake second(Token("k"), "ctl");
  ASSERT_TRUE(second.OnHello(agent.hello()).ok());
  EXPECT_FALSE(second.OnAuth(*recorded).ok());
}

TEST(Auth, TheControllersProofCannotBeReflectedAsTheAgents) {
  ControllerHandshake controller(Token("k"), "ctl");
  HelloMsg hello{kProtocolVersion, "a", "h", NewNonce(), "", ""};
  Result<ChallengeMsg> ch = controller.OnHello(hello);
  ASSERT_TRUE(ch.ok());
  EXPECT_FALSE(controller.OnAuth(AuthMsg{ch->proof}).ok());
}

TEST(Auth, AFakeControllerIsRefusedByTheAgent) {
  // No token at all: a made-up proof.
  AgentHandshake agent(Token("k"), "a", "h");
  ChallengeMsg fake{kProtocolVersion, "ctl", NewNonce(), NewNonce(), "", ""};
  EXPECT_FALSE(agent.OnChallenge(fake).ok());
  // A challenge recorded from the real controller on another connection.
  AgentHandshake earlier(Token("k"), "a", "h");
  ControllerHandshake real(Token("k"), "ctl");
  const ChallengeMsg recorded = *real.OnHello(earlier.hello());
  AgentHandshake victim(Token("k"), "a", "h");
  EXPECT_FALSE(victim.OnChallenge(recorded).ok());
  // A controller echoing the agent's own nonce.
  AgentHandshake echo(Token("k"), "a", "h");
  ChallengeMsg mirror{kProtocolVersion, "ctl", echo.hello().agent_nonce, NewNonce(), "", ""};
  EXPECT_FALSE(echo.OnChallenge(mirror).ok());
}

TEST(Auth, VersionMismatchIsRefusedWithBothVersions) {
  ControllerHandshake controller(Token("k"), "ctl");
  HelloMsg hello{kProtocolVersion + 1, "a", "h", NewNonce(), "", ""};
  Result<ChallengeMsg> ch = controller.OnHello(hello);
  ASSERT_FALSE(ch.ok());
  EXPECT_NE(ch.status().message().find("agent speaks protocol version 2"), std::string::npos);
}

TEST(Auth, ProofsAreComparedInConstantTime) {
  EXPECT_TRUE(ConstantTimeEquals("abcd", "abcd"));
  EXPECT_FALSE(ConstantTimeEquals("abcd", "abce"));
  EXPECT_FALSE(ConstantTimeEquals("abcd", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  // The comparison must be OpenSSL's constant-time one, and proofs must go through it.
  std::ifstream in(std::string(SWEEP_SOURCE_DIR) + "/agents/protocol/auth.cc");
  std::stringstream src;
  src << in.rdbuf();
  EXPECT_NE(src.str().find("CRYPTO_memcmp(a.data(), b.data(), a.size())"), std::string::npos);
  EXPECT_NE(src.str().find("return ConstantTimeEquals(ComputeProof(token, role, t), proof);"),
            std::string::npos);
}

}  // namespace
}  // namespace sweep
