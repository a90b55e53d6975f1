// HOST:PORT parsing: strict digits for the port, brackets for IPv6, no DNS here
// (the transport resolves names when it connects or binds).
#include "agents/protocol/host_port.h"

#include <cctype>

namespace sweep {

Result<HostPort> ParseHostPort(const std::string& text, const std::string& default_host,
                               bool allow_zero) {
  auto bad = [&](const std::string& why) {
    return Status::Usage("'" + text + "': " + why + " (expected HOST:PORT, e.g. 127.0.0.1:7777)");
  };
  HostPort out;
  std::string port;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos) return bad("missing ']' after the IPv6 address");
    out.host = text.substr(1, close - 1);
    if (close + 1 >= text.size() || text[close + 1] != ':') return bad("missing ':PORT'");
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos) {
      if (default_host.empty()) return bad("missing ':PORT'");
      port = text;
      out.host = default_host;
    } else {
      out.host = text.substr(0, colon);
      port = text.substr(colon + 1);
      if (out.host.find(':') != std::string::npos)
        return bad("an IPv6 address needs brackets: [::1]:PORT");
      if (out.host.empty()) out.host = default_host;
    }
  }
  if (out.host.empty()) return bad("empty host");
  if (port.empty() || port.size() > 5) return bad("the port must be a number 1-65535");
  for (char c : port) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return bad("the port must be a number");
  }
  unsigned long n = std::stoul(port);
  if (n > 65535) return bad("port " + port + " is out of range 1-65535");
  if (n == 0 && !allow_zero) return bad("port 0 is not a port to connect to");
  out.port = static_cast<uint16_t>(n);
  return out;
}

std::string FormatHostPort(const std::string& host, uint16_t port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

}  // namespace sweep
