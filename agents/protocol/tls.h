// Optional TLS for the agent protocol: OpenSSL contexts for the controller (server)
// and the agent (client), built once and shared by every connection.
//
// TLS gives confidentiality and integrity on the wire; the HMAC challenge-response of
// agents/protocol/auth.h still runs on top and still proves that both ends hold the token.
// Only TLS 1.2 and later are accepted. The client verifies the server's certificate
// against a CA file (or the system's trust store) and checks that it was issued for
// the host it dialled (a DNS name, sent as SNI, or an IP address). Clients present no
// certificate: membership is the token's job. See schemas/protocol.md section 2.1.
//
// Set ConnectionOptions::tls (agents/protocol/transport.h) to the result of MakeServerTls on
// the listening side and MakeClientTls on the dialling side; null means plain TCP.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <string>

#include "base/status.h"

namespace sweep {

// A configured OpenSSL context and its role. Immutable after Make*Tls returns; share
// it (std::shared_ptr) between any number of connections on one io_context thread.
struct TlsConfig {
  TlsConfig(bool server_role, boost::asio::ssl::context ctx)
      : server(server_role), context(std::move(ctx)) {}

  bool server;                        // handshake as the server (controller) or client (agent)
  boost::asio::ssl::context context;  // certificates, trust store, protocol floor
  std::string server_name;            // client: name or IP to verify instead of the host dialled
  std::string summary;                // for logs: "TLS server, certificate FILE", ...
};

// The controller's side: certificate chain (PEM, leaf first) and its private key (PEM,
// unencrypted). Errors (kUsage, naming the file): a file that is missing or unreadable,
// one that holds no PEM certificate or key, an encrypted key, a key that does not
// match the certificate.
Result<std::shared_ptr<TlsConfig>> MakeServerTls(const std::string& cert_file,
                                                 const std::string& key_file);

// The agent's side. ca_file: PEM certificates to trust (a self-signed controller
// certificate, or the CA that issued it); "" uses the system's default trust store.
// server_name: when not empty, the name or IP address the controller's certificate
// must match instead of the host the agent dials (e.g. dialling an IP address of a
// controller whose certificate names its DNS name). Errors (kUsage, naming the file):
// the CA file is missing, unreadable or holds no certificate.
Result<std::shared_ptr<TlsConfig>> MakeClientTls(const std::string& ca_file,
                                                 const std::string& server_name = "");

// Client side, before the handshake: sends SNI (for a DNS name) and makes OpenSSL
// check the certificate against config.server_name or else host. Error (kUsage) when
// there is no name to check: a client never skips verification.
Status PrepareClientSession(const TlsConfig& config, SSL* ssl, const std::string& host);

// Why a handshake failed, in words: OpenSSL's reason and, when the peer's certificate
// was refused, the verification error ("self-signed certificate", "hostname mismatch").
std::string DescribeTlsFailure(const boost::system::error_code& ec, SSL* ssl);

}  // namespace sweep
