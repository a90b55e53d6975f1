// The dashboard's HTTP server over real sockets on 127.0.0.1 (ephemeral port): the
// embedded page, API round trips, keep-alive, and hostile requests answered with a
// clean 4xx while the server keeps serving.
#include "orchestrator/ui/ui_server.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <thread>

#include "tests/testing/ui_store_fixture.h"

namespace sweep {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class UiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    UiServerLimits limits;
    limits.request_timeout_s = 5;
    auto s = UiServer::Bind(*fx_.store, "127.0.0.1", 0, {}, limits);
    ASSERT_TRUE(s.ok()) << s.status().message();
    server_ = std::move(*s);
    thread_ = std::thread([this] { server_->Run(); });
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  // Sends raw bytes, reads until the server closes; returns everything received.
  std::string Raw(const std::string& bytes) {
    asio::io_context ioc;
    tcp::socket sock(ioc);
    sock.connect(
        {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(server_->port())});
    boost::system::error_code ec;
    asio::write(sock, asio::buffer(bytes), ec);
    std::string out;
    char buf[4096];
    for (;;) {
      size_t n = sock.read_some(asio::buffer(buf), ec);
      out.append(buf, n);
      if (ec) break;
    }
    return out;
  }
  std::string Get(const std::string& target) {
    return Raw("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  }
  static int Code(const std::string& response) {
    if (response.size() < 12 || response.rfind("HTTP/1.1 ", 0) != 0) return -1;
    return std::stoi(response.substr(9, 3));
  }
  static std::string Body(const std::string& response) {
    auto p = response.find("\r\n\r\n");
    return p == std::string::npos ? "" : response.substr(p + 4);
  }

  testing::UiStoreFixture fx_;
  std::unique_ptr<UiServer> server_;
  std::thread thread_;
};

TEST_F(UiServerTest, ServesTheEmbeddedPageWithASafeContentPolicy) {
  std::string r = Get("/");
  EXPECT_EQ(Code(r), 200);
  EXPECT_NE(r.find("Content-Type: text/html"), std::string::npos);
  EXPECT_NE(r.find("Content-Security-Policy: default-src 'self'"), std::string::npos);
  EXPECT_NE(Body(r).find("<script src=\"app.js\""), std::string::npos);
  std::string js = Get("/app.js");
  EXPECT_EQ(Code(js), 200);
  EXPECT_NE(js.find("text/javascript"), std::string::npos);
  EXPECT_EQ(Code(Get("/style.css")), 200);
}

TEST_F(UiServerTest, AnswersApiRequestsWithJson) {
  std::string r = Get("/api/sweeps/swp001/trials?sort=value&limit=1");
  ASSERT_EQ(Code(r), 200) << r;
  Value v = Value::parse(Body(r));
  EXPECT_EQ(v["rows"][0]["id"], "swp001-5");
}

TEST_F(UiServerTest, KeepsTheConnectionAliveAcrossRequests) {
  std::string two =
      "GET /api/sweeps HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /api/trials/swp001-1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::string r = Raw(two);
  size_t first = r.find("HTTP/1.1 200");
  ASSERT_NE(first, std::string::npos);
  EXPECT_NE(r.find("HTTP/1.1 200", first + 1), std::string::npos);
  EXPECT_NE(r.find("swp001-1"), std::string::npos);
}

TEST_F(UiServerTest, StaticPathsNeverReachTheFileSystem) {
  for (const char* t :
       {"/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/orchestrator/ui/app.js",
        "/sweep.db", "/..%2f..%2fsweep.db", "//etc/passwd"}) {
    std::string r = Get(t);
    EXPECT_EQ(Code(r), 404) << t;
    EXPECT_EQ(r.find("root:"), std::string::npos);
  }
  EXPECT_EQ(Code(Get("/api/trials/swp001-0/files/..%2F..%2F..%2Fsweep.db")), 400);
  EXPECT_EQ(Code(Get("/api/trials/swp001-0/logs?stream=..%2F..%2Fsweep")), 400);
}

TEST_F(UiServerTest, MalformedRequestsGet400AndTheServerGoesOn) {
  EXPECT_EQ(Code(Raw("GARBAGE\r\n\r\n")), 400);
  EXPECT_EQ(Code(Raw("GET / HTTP/9.9\r\n\r\n")), 400);
  EXPECT_EQ(Code(Raw("GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n")), 400);
  EXPECT_EQ(Code(Raw("GET noslash HTTP/1.1\r\nHost: x\r\n\r\n")), 400);
  std::string binary(300, '\0');
  for (size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 37);
  Raw(binary);  // whatever comes back, nothing crashes
  EXPECT_EQ(Code(Get("/api/sweeps")), 200);
}

TEST_F(UiServerTest, OversizedRequestsAreRefusedWithoutReadingThem) {
  std::string big_header =
      "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  EXPECT_EQ(Code(Raw(big_header)), 431);
  std::string big_body =
      "POST /api/trials/swp001-0/notes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 5000000\r\n\r\n{\"text\":";
  EXPECT_EQ(Code(Raw(big_body)), 413);
  EXPECT_EQ(Code(Get("/api/sweeps")), 200);
}

TEST_F(UiServerTest, PostsNeedJsonContentType) {
  std::string body = R"({"text":"from http"})";
  std::string plain =
      "POST /api/trials/swp001-0/notes HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
      "Content-Type: text/plain\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  EXPECT_EQ(Code(Raw(plain)), 415);
  std::string json = plain;
  json.replace(json.find("text/plain"), 10, "application/json");
  std::string r = Raw(json);
  EXPECT_EQ(Code(r), 200) << r;
  auto notes = fx_.store->GetNotes("swp001-0");
  ASSERT_TRUE(notes.ok());
  ASSERT_EQ(notes->size(), 1u);
  EXPECT_EQ((*notes)[0].text, "from http");
}

TEST_F(UiServerTest, ASlowRequestDoesNotStallTheOthers) {
  // Another process holds the store's write lock, so a note waits (busy timeout) in
  // its handler; meanwhile reads must still be answered.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((fx_.root + "/sweep.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::string body = R"({"text":"waits for the lock"})";
  std::string slow_answer;
  std::atomic<bool> slow_done{false};
  std::thread slow([&] {
    slow_answer =
        Raw("POST /api/trials/swp001-0/notes HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            "Content-Type: application/json\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body);
    slow_done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the POST is waiting now
  auto t0 = std::chrono::steady_clock::now();
  std::string fast = Get("/api/sweeps");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(Code(fast), 200);
  EXPECT_LT(seconds, 2.0) << "a read waited for the blocked note";
  EXPECT_FALSE(slow_done) << "the note should still be waiting for the lock";
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  slow.join();
  EXPECT_EQ(Code(slow_answer), 200) << slow_answer;
}

TEST_F(UiServerTest, ManyConcurrentClientsAreAllAnswered) {
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&] {
      for (int k = 0; k < 10; ++k)
        if (Code(Get("/api/sweeps/swp001/trials?limit=5")) == 200) ++ok;
    });
  }
  for (auto& c : clients) c.join();
  EXPECT_EQ(ok.load(), 80);
}

TEST(UiServerBind, RefusesAHostThatIsNotAnAddress) {
  testing::UiStoreFixture fx;
  auto s = UiServer::Bind(*fx.store, "not an address", 0);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("--host"), std::string::npos);
}

TEST(UiServerBind, RefusesAPortInUse) {
  testing::UiStoreFixture fx;
  auto a = UiServer::Bind(*fx.store, "127.0.0.1", 0);
  ASSERT_TRUE(a.ok());
  auto b = UiServer::Bind(*fx.store, "127.0.0.1", (*a)->port());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), ErrorCode::kIo);
}

}  // namespace
}  // namespace sweep
