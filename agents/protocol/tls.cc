// OpenSSL context setup for the agent protocol's optional TLS.
//
// The server's certificate and key are first parsed on their own (PEM, no passphrase
// prompt) so that each failure names its file and says what is wrong with it, and so
// that a key that belongs to another certificate is reported as exactly that; only
// then are they loaded into the Asio context. Both roles refuse anything older than
// TLS 1.2 and disable compression. The client verifies the peer's chain (verify_peer)
// and, per session, the host name or IP address through OpenSSL's own checks
// (SSL_set1_host / X509_VERIFY_PARAM_set1_ip_asc), which then fail the handshake
// itself with X509_V_ERR_HOSTNAME_MISMATCH or ..._IP_ADDRESS_MISMATCH. Boost and
// OpenSSL errors are turned into Status here; no exception leaves this file.
#include "agents/protocol/tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sweep {
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

namespace {

// The oldest OpenSSL error on this thread's queue, in words; clears the queue.
std::string OpenSslError() {
  const unsigned long e = ERR_peek_error();
  std::string text = "unknown OpenSSL error";
  if (e != 0) {
    const char* reason = ERR_reason_error_string(e);
    text = reason ? reason : "error " + std::to_string(e);
  }
  ERR_clear_error();
  return text;
}

// The file's bytes, or a kUsage error that names it (what = "TLS certificate", ...).
Result<std::string> ReadPem(const std::string& path, const std::string& what) {
  if (path.empty()) return Status::Usage(what + ": no file given");
  std::error_code fec;
  if (std::filesystem::is_directory(path, fec)) {
    return Status::Usage("cannot read " + what + " '" + path + "': it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::Usage("cannot read " + what + " '" + path + "': " + std::strerror(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// OpenSSL BIO over text that stays alive as long as the BIO.
struct Bio {
  explicit Bio(const std::string& text)
      : bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size()))) {}
  ~Bio() { BIO_free(bio); }
  BIO* bio;
};

// Refuses to ask for a passphrase: a daemon must never block on the terminal.
int NoPassphrase(char*, int, int, void*) { return -1; }

ssl::context NewContext(ssl::context::method method) {
  ssl::context ctx(method);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                  ssl::context::no_compression);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  SSL_CTX_set_default_passwd_cb(ctx.native_handle(), &NoPassphrase);
  return ctx;
}

Result<std::shared_ptr<TlsConfig>> ServerTls(const std::string& cert_file,
                                             const std::string& key_file) {
  Result<std::string> cert_pem = ReadPem(cert_file, "TLS certificate");
  if (!cert_pem.ok()) return cert_pem.status();
  Result<std::string> key_pem = ReadPem(key_file, "TLS key");
  if (!key_pem.ok()) return key_pem.status();

  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(Bio(*cert_pem).bio, nullptr, &NoPassphrase, nullptr), &X509_free);
  if (!cert) {
    return Status::Usage("TLS certificate '" + cert_file +
                         "' holds no PEM certificate: " + OpenSslError());
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(Bio(*key_pem).bio, nullptr, &NoPassphrase, nullptr), &EVP_PKEY_free);
  if (!key) {
    const std::string why = OpenSslError();
    if (key_pem->find("ENCRYPTED") != std::string::npos) {
      return Status::Usage("TLS key '" + key_file +
                           "' is encrypted; give an unencrypted key (openssl pkey -in " + key_file +
                           " -out NEW_FILE), readable by this user only");
    }
    return Status::Usage("TLS key '" + key_file + "' holds no PEM private key: " + why);
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return Status::Usage("TLS key '" + key_file + "' does not match the certificate '" + cert_file +
                         "'");
  }

  auto config = std::make_shared<TlsConfig>(true, NewContext(ssl::context::tls_server));
  boost::system::error_code ec;
  config->context.use_certificate_chain_file(cert_file, ec);
  if (ec) {
    return Status::Usage("TLS certificate '" + cert_file + "' is not usable: " + ec.message());
  }
  config->context.use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) return Status::Usage("TLS key '" + key_file + "' is not usable: " + ec.message());
  config->summary = "TLS server, certificate " + cert_file;
  return config;
}

Result<std::shared_ptr<TlsConfig>> ClientTls(const std::string& ca_file,
                                             const std::string& server_name) {
  auto config = std::make_shared<TlsConfig>(false, NewContext(ssl::context::tls_client));
  config->server_name = server_name;
  boost::system::error_code ec;
  config->context.set_verify_mode(ssl::verify_peer, ec);
  if (ec) return Status::Internal("TLS: cannot enable verification: " + ec.message());
  if (ca_file.empty()) {
    config->context.set_default_verify_paths(ec);
    if (ec) return Status::Usage("TLS: cannot load the system's CA certificates: " + ec.message());
    config->summary = "TLS client, system CA certificates";
  } else {
    Result<std::string> pem = ReadPem(ca_file, "TLS CA file");
    if (!pem.ok()) return pem.status();
    config->context.load_verify_file(ca_file, ec);
    if (ec) {
      return Status::Usage("TLS CA file '" + ca_file +
                           "' holds no PEM certificate: " + ec.message());
    }
    config->summary = "TLS client, CA " + ca_file;
  }
  if (!server_name.empty()) config->summary += ", verifying " + server_name;
  return config;
}

// Reasons OpenSSL gives when the first bytes are not a TLS record at all.
bool LooksLikePlainTcp(const boost::system::error_code& ec) {
  if (ec.category() != asio::error::get_ssl_category()) return false;
  const int reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
  return reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_HTTP_REQUEST ||
         reason == SSL_R_PACKET_LENGTH_TOO_LONG || reason == SSL_R_UNKNOWN_PROTOCOL ||
         reason == SSL_R_RECORD_LENGTH_MISMATCH;
}

}  // namespace

Result<std::shared_ptr<TlsConfig>> MakeServerTls(const std::string& cert_file,
                                                 const std::string& key_file) {
  try {
    return ServerTls(cert_file, key_file);
  } catch (const std::exception& e) {  // ssl::context's constructor throws on failure
    return Status::Internal(std::string("TLS server setup: ") + e.what());
  }
}

Result<std::shared_ptr<TlsConfig>> MakeClientTls(const std::string& ca_file,
                                                 const std::string& server_name) {
  try {
    return ClientTls(ca_file, server_name);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("TLS client setup: ") + e.what());
  }
}

Status PrepareClientSession(const TlsConfig& config, SSL* ssl, const std::string& host) {
  const std::string& name = config.server_name.empty() ? host : config.server_name;
  if (name.empty()) {
    return Status::Usage("TLS: no server name or address to verify the certificate against");
  }
  boost::system::error_code ec;
  asio::ip::make_address(name, ec);
  if (!ec) {
    // An IP address: no SNI (RFC 6066 forbids literals), match an iPAddress SAN.
    if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str()) != 1) {
      return Status::Usage("TLS: cannot verify against address '" + name + "': " + OpenSslError());
    }
    return Status::Ok();
  }
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (SSL_set_tlsext_host_name(ssl, name.c_str()) != 1 || SSL_set1_host(ssl, name.c_str()) != 1) {
    return Status::Usage("TLS: cannot verify against host name '" + name + "': " + OpenSslError());
  }
  return Status::Ok();
}

std::string DescribeTlsFailure(const boost::system::error_code& ec, SSL* ssl) {
  if (ec == asio::error::eof || ec == ssl::error::stream_truncated ||
      ec == asio::error::connection_reset) {
    return "the peer closed the connection (does it speak TLS?)";
  }
  std::string text = ec.message();
  if (ssl != nullptr) {
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) text += ": " + std::string(X509_verify_cert_error_string(verify));
  }
  if (LooksLikePlainTcp(ec)) text += " (the peer does not speak TLS)";
  return text;
}

}  // namespace sweep
