// Test certificates for the TLS tests, made with the OpenSSL API at test time (no
// openssl CLI needed): a self-signed P-256 certificate with the given subject
// alternative names, written as PEM files, optionally with an encrypted key.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

namespace sweep::testing {

struct CertFiles {
  std::string cert, key;
};

// Writes DIR/STEM.crt and DIR/STEM.key. san: e.g. "DNS:localhost,IP:127.0.0.1".
// passphrase: when not empty, the key is written encrypted with it. Throws on an
// OpenSSL failure (a test set-up error, not a behaviour under test).
inline CertFiles WriteSelfSignedCert(const std::string& dir, const std::string& stem,
                                     const std::string& san, const std::string& passphrase = "") {
  auto check = [](bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("test certificate: ") + what);
  };
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  check(key != nullptr, "EVP_EC_gen");
  std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), &X509_free);
  check(x != nullptr, "X509_new");
  static long serial = 1000;
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), ++serial);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 86400);
  X509_set_pubkey(x.get(), key.get());
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(stem.c_str()), -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair<int, std::string>{NID_subject_alt_name, san},
                                   {NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    check(ext != nullptr, "extension");
    X509_add_ext(x.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  check(X509_sign(x.get(), key.get(), EVP_sha256()) > 0, "X509_sign");

  CertFiles files{dir + "/" + stem + ".crt", dir + "/" + stem + ".key"};
  FILE* f = std::fopen(files.cert.c_str(), "w");
  check(f != nullptr && PEM_write_X509(f, x.get()) == 1, "write certificate");
  std::fclose(f);
  f = std::fopen(files.key.c_str(), "w");
  check(f != nullptr, "open key file");
  const bool wrote =
      passphrase.empty()
          ? PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1
          : PEM_write_PrivateKey(f, key.get(), EVP_aes_128_cbc(),
                                 reinterpret_cast<const unsigned char*>(passphrase.data()),
                                 static_cast<int>(passphrase.size()), nullptr, nullptr) == 1;
  std::fclose(f);
  check(wrote, "write key");
  return files;
}

}  // namespace sweep::testing
