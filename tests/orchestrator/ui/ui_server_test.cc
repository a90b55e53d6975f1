// The dashboard's HTTP server over real sockets on 127.0.0.1 (ephemeral port): the
// embedded page, API round trips, keep-alive, hostile requests answered with a clean
// 4xx while the server keeps serving, and the access checks (Host, Origin, token).
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
  // Serves with these access options (a token, allowed names); SetUp uses none.
  void Start(UiAccessOptions access) {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
    UiServerLimits limits;
    limits.request_timeout_s = 5;
    auto s = UiServer::Bind(*fx_.store, "127.0.0.1", 0, {}, limits, std::move(access));
    ASSERT_TRUE(s.ok()) << s.status().message();
    server_ = std::move(*s);
    thread_ = std::thread([this] { server_->Run(); });
  }
  void SetUp() override { Start({}); }
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
  // The Host a browser sends for the page it loaded from this server.
  std::string Host() const { return "127.0.0.1:" + std::to_string(server_->port()); }
  std::string Get(const std::string& target, const std::string& extra_headers = "") {
    return Raw("GET " + target + " HTTP/1.1\r\nHost: " + Host() + "\r\n" + extra_headers +
               "Connection: close\r\n\r\n");
  }
  // A POST of a JSON note with the given Host, extra headers and content type.
  std::string PostNote(const std::string& host, const std::string& extra_headers,
                       const std::string& type = "application/json",
                       const std::string& text = "from http") {
    std::string body = R"({"text":")" + text + R"("})";
    return Raw("POST /api/trials/swp001-0/notes HTTP/1.1\r\nHost: " + host +
               "\r\nConnection: close\r\nContent-Type: " + type + "\r\n" + extra_headers +
               "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  }
  size_t NoteCount() {
    auto notes = fx_.store->GetNotes("swp001-0");
    EXPECT_TRUE(notes.ok());
    return notes.ok() ? notes->size() : 0;
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
  std::string two = "GET /api/sweeps HTTP/1.1\r\nHost: " + Host() +
                    "\r\n\r\n"
                    "GET /api/trials/swp001-1 HTTP/1.1\r\nHost: " +
                    Host() + "\r\nConnection: close\r\n\r\n";
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
  // A cross-site HTML form can send text/plain, form-urlencoded or multipart only.
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded",
                           "multipart/form-data; boundary=x", "application/jsonx", ""}) {
    EXPECT_EQ(Code(PostNote(Host(), "", type)), 415) << type;
  }
  EXPECT_EQ(NoteCount(), 0u);
  std::string r = PostNote(Host(), "", "application/json; charset=utf-8");
  EXPECT_EQ(Code(r), 200) << r;
  auto notes = fx_.store->GetNotes("swp001-0");
  ASSERT_TRUE(notes.ok());
  ASSERT_EQ(notes->size(), 1u);
  EXPECT_EQ((*notes)[0].text, "from http");
}

TEST_F(UiServerTest, ForeignHostsGet421AndNoData) {
  // DNS rebinding: evil.example resolves to 127.0.0.1, the browser sends its name.
  for (const std::string& host :
       std::vector<std::string>{"evil.example:" + std::to_string(server_->port()), "evil.example",
                                std::string("127.0.0.1:1"), std::string("localhost"),
                                "127.0.0.1.evil.example:" + std::to_string(server_->port()),
                                std::string("[::1]:1"), std::string(""), std::string("a:b:c")}) {
    std::string r =
        Raw("GET /api/sweeps HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(Code(r), 421) << host << "\n" << r;
    EXPECT_EQ(r.find("swp001"), std::string::npos) << host;
    EXPECT_EQ(Code(PostNote(host, "")), 421) << host;
  }
  EXPECT_EQ(NoteCount(), 0u);
  // The page itself too, so a rebound name cannot even load the app.
  EXPECT_EQ(Code(Raw("GET / HTTP/1.1\r\nHost: evil.example:" + std::to_string(server_->port()) +
                     "\r\nConnection: close\r\n\r\n")),
            421);
  // The names of this machine's loopback, with the bound port, in any case.
  std::string port = std::to_string(server_->port());
  for (const std::string& host :
       std::vector<std::string>{"127.0.0.1:" + port, "localhost:" + port, "LOCALHOST:" + port,
                                "localhost.:" + port, "[::1]:" + port}) {
    std::string r =
        Raw("GET /api/sweeps HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(Code(r), 200) << host;
  }
}

TEST_F(UiServerTest, AllowHostAddsNamesOnAnyPort) {
  UiAccessOptions access;
  access.allowed_hosts = {"Sweep.Internal"};
  Start(access);
  std::string r =
      Raw("GET /api/sweeps HTTP/1.1\r\nHost: sweep.internal\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(Code(r), 200) << r;
  EXPECT_EQ(Code(Raw("GET /api/sweeps HTTP/1.1\r\nHost: other.internal\r\nConnection: "
                     "close\r\n\r\n")),
            421);
}

TEST_F(UiServerTest, CrossOriginWritesAreRefusedAndWriteNothing) {
  std::string port = std::to_string(server_->port());
  for (const std::string& origin : std::vector<std::string>{
           "http://evil.example", "http://evil.example:" + port, std::string("null"),
           "https://127.0.0.1:" + port, std::string("http://127.0.0.1:1"),
           std::string("http://localhost")}) {
    std::string r = PostNote(Host(), "Origin: " + origin + "\r\n");
    EXPECT_EQ(Code(r), 403) << origin << "\n" << r;
    EXPECT_NE(Body(r).find("cross-origin"), std::string::npos);
  }
  std::string tags = R"({"tags":["evil"]})";
  std::string r = Raw("POST /api/trials/swp001-0/tags HTTP/1.1\r\nHost: " + Host() +
                      "\r\nOrigin: http://evil.example\r\nContent-Type: application/json\r\n"
                      "Connection: close\r\nContent-Length: " +
                      std::to_string(tags.size()) + "\r\n\r\n" + tags);
  EXPECT_EQ(Code(r), 403);
  EXPECT_EQ(NoteCount(), 0u);
  EXPECT_TRUE(fx_.store->GetTags("swp001-0")->empty());
  // Same origin (the page) and no Origin at all (curl, the CLI) both write.
  EXPECT_EQ(Code(PostNote(Host(), "Origin: http://" + Host() + "\r\n")), 200);
  EXPECT_EQ(Code(PostNote(Host(), "")), 200);
  EXPECT_EQ(NoteCount(), 2u);
  // A cross-origin GET is answered (the browser keeps the body from the other site).
  EXPECT_EQ(Code(Get("/api/sweeps", "Origin: http://evil.example\r\n")), 200);
}

TEST_F(UiServerTest, TokenModeNeedsTheBearerTokenOrTheCookie) {
  const std::string token(64, 'a');
  UiAccessOptions access;
  access.token = token;
  Start(access);
  for (const char* target : {"/", "/app.js", "/api/sweeps", "/?token=wrong"}) {
    std::string r = Get(target);
    EXPECT_EQ(Code(r), 401) << target;
    EXPECT_EQ(r.find("swp001"), std::string::npos);
    EXPECT_EQ(r.find(token), std::string::npos);
  }
  EXPECT_EQ(Code(Get("/api/sweeps", "Authorization: Bearer " + std::string(63, 'a') + "b\r\n")),
            401);
  EXPECT_EQ(Code(PostNote(Host(), "")), 401);
  EXPECT_EQ(NoteCount(), 0u);
  // The bearer header.
  std::string ok = Get("/api/sweeps", "Authorization: Bearer " + token + "\r\n");
  EXPECT_EQ(Code(ok), 200);
  EXPECT_NE(ok.find("swp001"), std::string::npos);
  EXPECT_EQ(Code(PostNote(Host(), "Authorization: Bearer " + token + "\r\n")), 200);
  // The one-time URL: a cookie (not the token), HttpOnly and SameSite=Strict, and a
  // redirect that takes the token out of the address bar.
  std::string login = Get("/?token=" + token);
  ASSERT_EQ(Code(login), 303) << login;
  EXPECT_NE(login.find("Location: /\r\n"), std::string::npos);
  size_t at = login.find("Set-Cookie: sweep_ui_session=");
  ASSERT_NE(at, std::string::npos) << login;
  std::string cookie = login.substr(at + 12, login.find(';', at) - at - 12);
  EXPECT_EQ(cookie.find(token), std::string::npos);
  std::string line = login.substr(at, login.find("\r\n", at) - at);
  EXPECT_NE(line.find("HttpOnly"), std::string::npos);
  EXPECT_NE(line.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(Code(Get("/api/sweeps", "Cookie: theme=dark; " + cookie + "\r\n")), 200);
  EXPECT_EQ(Code(Get("/", "Cookie: sweep_ui_session=forged\r\n")), 401);
  // The token does not lift the other checks.
  EXPECT_EQ(Code(PostNote(Host(), "Cookie: " + cookie + "\r\nOrigin: http://evil.example\r\n")),
            403);
  EXPECT_EQ(NoteCount(), 1u);
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
    slow_answer = Raw("POST /api/trials/swp001-0/notes HTTP/1.1\r\nHost: " + Host() +
                      "\r\nConnection: close\r\n"
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
