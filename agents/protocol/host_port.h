// HOST:PORT addresses on the command line (`launch --listen`, `sweep agent`).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace sweep {

struct HostPort {
  std::string host;
  uint16_t port = 0;
};

// Parses "HOST:PORT", "[IPv6]:PORT", ":PORT" or "PORT" (the last two use
// default_host). Port 0 is allowed only when allow_zero (listen on any free port).
// Errors (kUsage) say what is wrong: "expected HOST:PORT, got 'x'", "port 70000 is
// out of range 1-65535".
Result<HostPort> ParseHostPort(const std::string& text, const std::string& default_host,
                               bool allow_zero);

// "host:port", with brackets around an IPv6 host.
std::string FormatHostPort(const std::string& host, uint16_t port);

}  // namespace sweep
