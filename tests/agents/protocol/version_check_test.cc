// The version fields of the handshake: what travels, how a mismatch is worded, and
// reading a hello's version when the rest of it is not ours to decode.
#include "agents/protocol/version_check.h"

#include <gtest/gtest.h>

#include <string>

#include "agents/protocol/auth.h"
#include "agents/protocol/messages.h"
#include "base/build_info.h"
#include "tests/agents/agents_test_util.h"

namespace sweep {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

Result<Message> RoundTrip(const Message& m) {
  Result<std::string> bytes = EncodeMessage(m);
  if (!bytes.ok()) return bytes.status();
  Result<Frame> frame = DecodeFrame(*bytes);
  if (!frame.ok()) return frame.status();
  return DecodeMessage(*frame);
}

TEST(VersionCheck, HelloAndChallengeCarryThisBuildAndSurviveTheWire) {
  AgentHandshake agent(testing::TokenFromSeed("v"), "gpu-a", "node1");
  EXPECT_EQ(agent.hello().sweep_version, ReleaseVersion());
  EXPECT_EQ(agent.hello().build, BuildCommit());
  ControllerHandshake controller(testing::TokenFromSeed("v"), "ctl");
  Result<ChallengeMsg> ch = controller.OnHello(agent.hello());
  ASSERT_TRUE(ch.ok()) << ch.status().message();
  EXPECT_EQ(ch->sweep_version, ReleaseVersion());
  EXPECT_EQ(ch->build, BuildCommit());

  Result<Message> hello = RoundTrip(agent.hello());
  ASSERT_TRUE(hello.ok());
  EXPECT_EQ(std::get<HelloMsg>(*hello).build, BuildCommit());
  Result<Message> challenge = RoundTrip(*ch);
  ASSERT_TRUE(challenge.ok());
  EXPECT_EQ(std::get<ChallengeMsg>(*challenge).sweep_version, ReleaseVersion());
  Result<Message> bye = RoundTrip(ByeMsg{"no", kByeProtocolVersion});
  ASSERT_TRUE(bye.ok());
  EXPECT_EQ(std::get<ByeMsg>(*bye).code, kByeProtocolVersion);
}

TEST(VersionCheck, PeersBeforeTheVersionFieldsStillDecode) {
  // A 0.1 agent sent no build; a 0.1 controller's challenge had neither field.
  const std::string nonce(64, 'a');
  Result<Message> hello = DecodeMessage(
      Frame{MessageType::kHello, R"({"version":1,"agent_name":"a","host":"h","agent_nonce":")" +
                                     nonce + R"(","sweep_version":"0.1.0"})"});
  ASSERT_TRUE(hello.ok()) << hello.status().message();
  EXPECT_EQ(std::get<HelloMsg>(*hello).build, "");
  Result<Message> ch = DecodeMessage(
      Frame{MessageType::kChallenge, R"({"version":1,"controller_name":"c","controller_nonce":")" +
                                         nonce + R"(","proof":")" + nonce + R"("})"});
  ASSERT_TRUE(ch.ok()) << ch.status().message();
  EXPECT_EQ(std::get<ChallengeMsg>(*ch).sweep_version, "");
}

TEST(VersionCheck, ProtocolMismatchNamesBothVersionsAndBothBuilds) {
  const std::string m =
      ProtocolMismatchMessage("agent", "controller", PeerVersion{2, "0.9.0", "abcdef1"});
  EXPECT_TRUE(Contains(m, "the agent speaks protocol version 2 (sweep 0.9.0 (abcdef1))")) << m;
  EXPECT_TRUE(Contains(m, "this controller speaks protocol version " +
                              std::to_string(kProtocolVersion) + " (sweep " + VersionString() +
                              ")"))
      << m;
  EXPECT_TRUE(Contains(m, "sweep --version")) << m;
  const std::string old = ProtocolMismatchMessage("controller", "agent", PeerVersion{0, "", ""});
  EXPECT_TRUE(Contains(old, "the controller speaks protocol version 0 (sweep of unknown version"))
      << old;
}

TEST(VersionCheck, ControllerRefusesAnotherProtocolVersionNamingBoth) {
  AgentHandshake agent(testing::TokenFromSeed("v"), "gpu-a", "node1");
  HelloMsg hello = agent.hello();
  hello.version = kProtocolVersion + 1;
  ControllerHandshake controller(testing::TokenFromSeed("v"), "ctl");
  Result<ChallengeMsg> ch = controller.OnHello(hello);
  ASSERT_FALSE(ch.ok());
  EXPECT_EQ(ch.status().code(), ErrorCode::kUsage);
  EXPECT_TRUE(
      Contains(ch.status().message(), "protocol version " + std::to_string(kProtocolVersion + 1)));
  EXPECT_TRUE(Contains(ch.status().message(),
                       "protocol version " + std::to_string(kProtocolVersion) + " (sweep"));
}

TEST(VersionCheck, BuildWarningOnlyWhenReleaseOrCommitDiffers) {
  EXPECT_FALSE(BuildMismatchWarning("agent a1", "controller", OwnVersion()).has_value());
  PeerVersion other = OwnVersion();
  other.build = "0000000";
  if (other.build == BuildCommit()) other.build = "1111111";
  auto w = BuildMismatchWarning("agent a1 (node1)", "controller", other);
  ASSERT_TRUE(w.has_value());
  EXPECT_TRUE(Contains(*w, "agent a1 (node1) runs sweep " + other.release + " (" + other.build +
                               "), this controller runs sweep " + VersionString()))
      << *w;
  EXPECT_TRUE(BuildMismatchWarning("x", "agent", PeerVersion{1, "", ""}).has_value());
}

TEST(VersionCheck, APeersVersionTextIsShownPrintableAndShort) {
  const std::string m = ProtocolMismatchMessage(
      "agent", "controller", PeerVersion{2, "9.0\x1b[2J\n", std::string(500, 'a')});
  EXPECT_TRUE(Contains(m, "(sweep 9.0?[2J? (" + std::string(40, 'a') + "...))")) << m;
  EXPECT_FALSE(Contains(m, "\x1b"));
  EXPECT_FALSE(Contains(m, std::string(41, 'a')));
}

TEST(VersionCheck, PeeksTheVersionOfAHelloThatDoesNotDecode) {
  auto v = PeekPeerVersion(Frame{MessageType::kHello,
                                 R"({"version":7,"sweep_version":"3.0.0","build":"abc1234",)"
                                 R"("agent":{"name":"x"}})"});
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->protocol, 7);
  EXPECT_EQ(v->release, "3.0.0");
  EXPECT_EQ(v->build, "abc1234");
  EXPECT_FALSE(PeekPeerVersion(Frame{MessageType::kHello, R"({"version":"7"})"}).has_value());
  EXPECT_FALSE(PeekPeerVersion(Frame{MessageType::kHello, "not json"}).has_value());
  EXPECT_FALSE(PeekPeerVersion(Frame{MessageType::kAuth, R"({"version":7})"}).has_value());
  EXPECT_FALSE(
      PeekPeerVersion(Frame{MessageType::kHello, R"({"version":99999999999})"}).has_value());
  EXPECT_FALSE(
      PeekPeerVersion(Frame{MessageType::kHello, std::string(100000, '[') + "]"}).has_value());
  // Brackets inside strings do not count as nesting.
  EXPECT_TRUE(
      PeekPeerVersion(Frame{MessageType::kHello, R"({"version":2,"agent_name":"[[[[[[[[[[["})"})
          .has_value());
}

}  // namespace
}  // namespace sweep
