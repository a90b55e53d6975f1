#include "agents/protocol/host_port.h"

#include <gtest/gtest.h>

namespace sweep {
namespace {

TEST(HostPort, ParsesHostAndPort) {
  auto hp = ParseHostPort("10.1.2.3:7777", "127.0.0.1", false);
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "10.1.2.3");
  EXPECT_EQ(hp->port, 7777);
}

TEST(HostPort, BarePortAndColonPortUseTheDefaultHost) {
  EXPECT_EQ(ParseHostPort("7777", "127.0.0.1", false)->host, "127.0.0.1");
  EXPECT_EQ(ParseHostPort(":7777", "127.0.0.1", false)->host, "127.0.0.1");
  EXPECT_EQ(ParseHostPort(":0", "127.0.0.1", true)->port, 0);
}

TEST(HostPort, BracketedIpv6) {
  auto hp = ParseHostPort("[::1]:9000", "127.0.0.1", false);
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "::1");
  EXPECT_EQ(FormatHostPort(hp->host, hp->port), "[::1]:9000");
}

TEST(HostPort, BadAddressesSayWhatIsWrong) {
  EXPECT_NE(ParseHostPort("host:70000", "", false).status().message().find("out of range"),
            std::string::npos);
  EXPECT_NE(ParseHostPort("host:http", "", false).status().message().find("number"),
            std::string::npos);
  EXPECT_NE(ParseHostPort("::1:80", "", false).status().message().find("brackets"),
            std::string::npos);
  EXPECT_NE(ParseHostPort("host:0", "", false).status().message().find("port 0"),
            std::string::npos);
  EXPECT_EQ(ParseHostPort("[::1", "", false).status().code(), ErrorCode::kUsage);
  EXPECT_FALSE(ParseHostPort("", "", false).ok());
}

}  // namespace
}  // namespace sweep
