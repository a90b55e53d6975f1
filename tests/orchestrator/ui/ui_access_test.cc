// UiAccess without sockets: which Host, Origin, Content-Type and credentials pass,
// and the token file (created 0600, refused when others can read it or it is a link).
#include "orchestrator/ui/ui_access.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

UiAccessRequest Req(const std::string& method, const std::string& host,
                    const std::string& origin = "", const std::string& type = "") {
  UiAccessRequest r;
  r.method = method;
  r.target = "/api/sweeps";
  r.host = host;
  r.origin = origin;
  r.content_type = type;
  return r;
}

TEST(UiAccess, AWildcardListenerAcceptsIpLiteralsButNotNames) {
  UiAccessOptions o;
  o.listen_host = "0.0.0.0";
  o.port = 8765;
  UiAccess access(o);
  EXPECT_EQ(access.Check(Req("GET", "10.1.2.3:8765")).status, 0);
  EXPECT_EQ(access.Check(Req("GET", "[fe80::1]:8765")).status, 0);
  EXPECT_EQ(access.Check(Req("GET", "localhost:8765")).status, 0);
  EXPECT_EQ(access.Check(Req("GET", "10.1.2.3:9999")).status, 421);
  EXPECT_EQ(access.Check(Req("GET", "rebind.evil.example:8765")).status, 421);
}

TEST(UiAccess, AnIpv6ListenerAnswersToItsBracketedAddress) {
  UiAccessOptions o;
  o.listen_host = "::1";
  o.port = 80;
  UiAccess access(o);
  EXPECT_EQ(access.Check(Req("GET", "[::1]")).status, 0);  // no port = 80
  EXPECT_EQ(access.Check(Req("GET", "[::1]:80")).status, 0);
  EXPECT_EQ(access.Check(Req("GET", "[::1")).status, 421);
  EXPECT_EQ(access.Check(Req("GET", "[::1]x")).status, 421);
  EXPECT_EQ(access.Check(Req("GET", "localhost:99999")).status, 421);
}

TEST(UiAccess, StateChangingMethodsNeedSameOriginAndJson) {
  UiAccessOptions o;
  o.port = 8765;
  UiAccess access(o);
  const std::string host = "127.0.0.1:8765";
  for (const char* m : {"POST", "PUT", "PATCH", "DELETE"}) {
    EXPECT_EQ(access.Check(Req(m, host, "http://evil.example", "application/json")).status, 403)
        << m;
    EXPECT_EQ(access.Check(Req(m, host, "", "text/plain")).status, 415) << m;
    EXPECT_EQ(access.Check(Req(m, host, "http://127.0.0.1:8765", "application/json")).status, 0)
        << m;
    EXPECT_EQ(access.Check(Req(m, host, "", "Application/JSON ; charset=utf-8")).status, 0) << m;
  }
  EXPECT_EQ(access.Check(Req("GET", host, "http://evil.example")).status, 0);
}

TEST(UiAccess, LoopbackMeansOnly127SlashEightAndColonColonOne) {
  for (const char* a : {"127.0.0.1", "127.1.2.3", "::1", "[::1]", "::ffff:127.0.0.1"})
    EXPECT_TRUE(IsLoopbackAddress(a)) << a;
  for (const char* a : {"0.0.0.0", "::", "10.0.0.1", "192.168.1.1", "localhost", "", "::2"})
    EXPECT_FALSE(IsLoopbackAddress(a)) << a;
}

TEST(UiToken, IsCreatedWithMode0600AndThenReadBack) {
  testing::TempDir dir;
  bool created = false;
  auto t = LoadOrCreateUiToken(dir.Join("ui.token"), &created);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_TRUE(created);
  EXPECT_EQ(t->size(), 64u);
  struct stat st {};
  ASSERT_EQ(::stat(dir.Join("ui.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = LoadOrCreateUiToken(dir.Join("ui.token"), &created);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(created);
  EXPECT_EQ(*again, *t);
}

TEST(UiToken, RefusesReadableByOthersShortOrLinkedFiles) {
  testing::TempDir dir;
  bool created = false;
  testing::WriteFile(dir.Join("open.token"), std::string(64, 'a') + "\n", 0644);
  auto open = LoadOrCreateUiToken(dir.Join("open.token"), &created);
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.status().code(), ErrorCode::kUsage);
  EXPECT_NE(open.status().message().find("chmod 600"), std::string::npos);
  testing::WriteFile(dir.Join("short.token"), "abc\n", 0600);
  EXPECT_FALSE(LoadOrCreateUiToken(dir.Join("short.token"), &created).ok());
  testing::WriteFile(dir.Join("real.token"), std::string(64, 'b') + "\n", 0600);
  std::filesystem::create_symlink(dir.Join("real.token"), dir.Join("link.token"));
  auto link = LoadOrCreateUiToken(dir.Join("link.token"), &created);
  ASSERT_FALSE(link.ok());
  EXPECT_NE(link.status().message().find("symbolic link"), std::string::npos);
  EXPECT_FALSE(LoadOrCreateUiToken(dir.Join("no/such/dir/t"), &created).ok());
}

}  // namespace
}  // namespace sweep
