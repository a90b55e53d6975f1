// `sweep ui` as users start it (the real binary): a non-loopback --host needs
// --allow-remote; with it the page warns, creates a 0600 token file, never prints the
// token, and answers only requests that carry it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <boost/asio.hpp>

#include "orchestrator/store/trial_store.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

using testing::CliResult;
using testing::ReadFile;
using testing::RunSweep;
namespace asio = boost::asio;

// One HTTP/1.1 GET to 127.0.0.1:port; the whole response.
std::string HttpGet(int port, const std::string& target, const std::string& headers) {
  asio::io_context ioc;
  asio::ip::tcp::socket sock(ioc);
  boost::system::error_code ec;
  sock.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)}, ec);
  if (ec) return "";
  std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\n" + headers + "Connection: close\r\n\r\n";
  asio::write(sock, asio::buffer(req), ec);
  std::string out;
  char buf[4096];
  for (;;) {
    size_t n = sock.read_some(asio::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  return out;
}

TEST(UiCommand, ANonLoopbackHostNeedsAllowRemote) {
  testing::TempDir dir;
  for (const char* host : {"0.0.0.0", "::"}) {
    CliResult r = RunSweep({"--store", dir.Join("store"), "ui", "--host", host, "--port", "0"});
    EXPECT_EQ(r.exit_code, 2) << host << r.err;
    EXPECT_NE(r.err.find("is not a loopback address"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--allow-remote"), std::string::npos) << r.err;
  }
  struct stat st {};
  EXPECT_NE(::stat(dir.Join("store/ui.token").c_str(), &st), 0);
}

TEST(UiCommand, AllowRemoteWarnsAndRequiresTheTokenFromA0600File) {
  testing::TempDir dir;
  {
    auto store = OpenStore(dir.Join("store"), StoreOptions{});
    ASSERT_TRUE(store.ok()) << store.status().message();
  }
  testing::CliOptions o;
  pid_t pid = testing::StartSweep(
      {"--store", dir.Join("store"), "ui", "--host", "0.0.0.0", "--port", "0", "--allow-remote"}, o,
      dir.Join("out.txt"), dir.Join("err.txt"));
  ASSERT_GT(pid, 0);
  int port = 0;
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        std::string out = ReadFile(dir.Join("out.txt"));
        auto at = out.find("at http://0.0.0.0:");
        if (at == std::string::npos || out.find("token is required") == std::string::npos)
          return false;
        port = std::stoi(out.substr(at + 18));
        return true;
      },
      30))
      << ReadFile(dir.Join("err.txt"));
  std::string token = ReadFile(dir.Join("store/ui.token"));
  while (!token.empty() && token.back() == '\n') token.pop_back();
  ASSERT_EQ(token.size(), 64u);
  struct stat st {};
  ASSERT_EQ(::stat(dir.Join("store/ui.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string err = ReadFile(dir.Join("err.txt"));
  EXPECT_NE(err.find("warning: sweep ui listens on 0.0.0.0"), std::string::npos) << err;
  std::string out = ReadFile(dir.Join("out.txt"));
  EXPECT_EQ(out.find(token), std::string::npos) << "the token must never be printed";
  EXPECT_EQ(err.find(token), std::string::npos);

  std::string anon = HttpGet(port, "/api/sweeps", "");
  EXPECT_EQ(anon.rfind("HTTP/1.1 401", 0), 0u) << anon;
  std::string ok = HttpGet(port, "/api/sweeps", "Authorization: Bearer " + token + "\r\n");
  EXPECT_EQ(ok.rfind("HTTP/1.1 200", 0), 0u) << ok;
  EXPECT_EQ(HttpGet(port, "/?token=" + token, "").rfind("HTTP/1.1 303", 0), 0u);

  ::kill(pid, SIGTERM);
  EXPECT_EQ(testing::WaitChild(pid, 30), 0);
  EXPECT_EQ(ReadFile(dir.Join("out.txt")).find(token), std::string::npos);
}

}  // namespace
}  // namespace sweep
