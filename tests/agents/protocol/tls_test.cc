#include "agents/protocol/tls.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "tests/agents/agents_test_util.h"
#include "tests/agents/tls_test_util.h"

namespace sweep {
namespace {

using testing::TempDir;
using testing::WriteSelfSignedCert;

void WriteText(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Tls, ServerConfigLoadsAMatchingCertificateAndKey) {
  TempDir dir;
  const auto files = WriteSelfSignedCert(dir.path(), "ctl", "DNS:localhost");
  auto tls = MakeServerTls(files.cert, files.key);
  ASSERT_TRUE(tls.ok()) << tls.status().message();
  EXPECT_TRUE((*tls)->server);
  EXPECT_EQ((*tls)->summary, "TLS server, certificate " + files.cert);
  // TLS 1.2 is the floor.
  EXPECT_EQ(SSL_CTX_get_min_proto_version((*tls)->context.native_handle()), TLS1_2_VERSION);
}

TEST(Tls, MissingCertificateOrKeyIsAUsageErrorNamingTheFile) {
  TempDir dir;
  const auto files = WriteSelfSignedCert(dir.path(), "ctl", "DNS:localhost");
  auto no_cert = MakeServerTls(dir / "absent.crt", files.key);
  ASSERT_FALSE(no_cert.ok());
  EXPECT_EQ(no_cert.status().code(), ErrorCode::kUsage);
  EXPECT_EQ(no_cert.status().message(),
            "cannot read TLS certificate '" + dir / "absent.crt" + "': No such file or directory");
  auto no_key = MakeServerTls(files.cert, dir / "absent.key");
  ASSERT_FALSE(no_key.ok());
  EXPECT_EQ(no_key.status().code(), ErrorCode::kUsage);
  EXPECT_TRUE(Contains(no_key.status().message(), "TLS key '" + dir / "absent.key" + "'"));
  auto folder = MakeServerTls(dir.path(), files.key);
  ASSERT_FALSE(folder.ok());
  EXPECT_TRUE(Contains(folder.status().message(), "it is a directory"));
}

TEST(Tls, UnreadableKeyIsReported) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  TempDir dir;
  const auto files = WriteSelfSignedCert(dir.path(), "ctl", "DNS:localhost");
  ASSERT_EQ(::chmod(files.key.c_str(), 0), 0);
  auto tls = MakeServerTls(files.cert, files.key);
  ASSERT_FALSE(tls.ok());
  EXPECT_EQ(tls.status().message(), "cannot read TLS key '" + files.key + "': Permission denied");
}

TEST(Tls, KeyOfAnotherCertificateIsRefused) {
  TempDir dir;
  const auto mine = WriteSelfSignedCert(dir.path(), "mine", "DNS:localhost");
  const auto other = WriteSelfSignedCert(dir.path(), "other", "DNS:localhost");
  auto tls = MakeServerTls(mine.cert, other.key);
  ASSERT_FALSE(tls.ok());
  EXPECT_EQ(tls.status().code(), ErrorCode::kUsage);
  EXPECT_EQ(tls.status().message(),
            "TLS key '" + other.key + "' does not match the certificate '" + mine.cert + "'");
}

TEST(Tls, FilesWithoutPemContentAreRefused) {
  TempDir dir;
  const auto files = WriteSelfSignedCert(dir.path(), "ctl", "DNS:localhost");
  WriteText(dir / "junk", "not a certificate\n");
  auto bad_cert = MakeServerTls(dir / "junk", files.key);
  ASSERT_FALSE(bad_cert.ok());
  EXPECT_TRUE(Contains(bad_cert.status().message(),
                       "TLS certificate '" + dir / "junk" + "' holds no PEM certificate"));
  // A certificate where the key belongs.
  auto bad_key = MakeServerTls(files.cert, files.cert);
  ASSERT_FALSE(bad_key.ok());
  EXPECT_TRUE(Contains(bad_key.status().message(),
                       "TLS key '" + files.cert + "' holds no PEM private key"));
}

TEST(Tls, EncryptedKeyIsRefusedWithoutAskingForAPassphrase) {
  TempDir dir;
  const auto files = WriteSelfSignedCert(dir.path(), "ctl", "DNS:localhost", "secret-pass");
  auto tls = MakeServerTls(files.cert, files.key);
  ASSERT_FALSE(tls.ok());
  EXPECT_EQ(tls.status().code(), ErrorCode::kUsage);
  EXPECT_TRUE(Contains(tls.status().message(), "TLS key '" + files.key + "' is encrypted"));
}

TEST(Tls, ClientConfigTrustsAGivenCaFileOrTheSystemStore) {
  TempDir dir;
  const auto files = WriteSelfSignedCert(dir.path(), "ctl", "DNS:localhost");
  auto with_ca = MakeClientTls(files.cert, "ctl.example");
  ASSERT_TRUE(with_ca.ok()) << with_ca.status().message();
  EXPECT_FALSE((*with_ca)->server);
  EXPECT_EQ((*with_ca)->server_name, "ctl.example");
  EXPECT_EQ((*with_ca)->summary, "TLS client, CA " + files.cert + ", verifying ctl.example");
  EXPECT_EQ(SSL_CTX_get_verify_mode((*with_ca)->context.native_handle()), SSL_VERIFY_PEER);
  auto system = MakeClientTls("");
  ASSERT_TRUE(system.ok()) << system.status().message();
  EXPECT_EQ((*system)->summary, "TLS client, system CA certificates");
}

TEST(Tls, MissingOrEmptyCaFileIsAUsageErrorNamingTheFile) {
  TempDir dir;
  auto missing = MakeClientTls(dir / "ca.pem");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kUsage);
  EXPECT_EQ(missing.status().message(),
            "cannot read TLS CA file '" + dir / "ca.pem" + "': No such file or directory");
  WriteText(dir / "empty.pem", "");
  auto empty = MakeClientTls(dir / "empty.pem");
  ASSERT_FALSE(empty.ok());
  EXPECT_TRUE(Contains(empty.status().message(),
                       "TLS CA file '" + dir / "empty.pem" + "' holds no PEM certificate"));
}

TEST(Tls, ClientSessionNeedsANameToVerify) {
  TempDir dir;
  const auto files = WriteSelfSignedCert(dir.path(), "ctl", "DNS:localhost");
  auto tls = MakeClientTls(files.cert);
  ASSERT_TRUE(tls.ok());
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new((*tls)->context.native_handle()),
                                                &SSL_free);
  const Status none = PrepareClientSession(**tls, ssl.get(), "");
  EXPECT_EQ(none.code(), ErrorCode::kUsage);
  EXPECT_TRUE(PrepareClientSession(**tls, ssl.get(), "localhost").ok());
  // A host name is sent as SNI; an address is not (RFC 6066).
  EXPECT_STREQ(SSL_get_servername(ssl.get(), TLSEXT_NAMETYPE_host_name), "localhost");
  std::unique_ptr<SSL, decltype(&SSL_free)> by_ip(SSL_new((*tls)->context.native_handle()),
                                                  &SSL_free);
  EXPECT_TRUE(PrepareClientSession(**tls, by_ip.get(), "127.0.0.1").ok());
  EXPECT_EQ(SSL_get_servername(by_ip.get(), TLSEXT_NAMETYPE_host_name), nullptr);
}

}  // namespace
}  // namespace sweep
