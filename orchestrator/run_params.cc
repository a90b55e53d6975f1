// ParseArgvParams: a single left-to-right pass over the arguments. A token is a
// value, a flag or neither; a flag takes the following token only when that token
// cannot itself be a flag, so `--verbose --lr 0.1` reads verbose=true, lr=0.1.
#include "orchestrator/run_params.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace sweep {
namespace {

bool IsInteger(const std::string& s) {
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

// A finite number in strtod's decimal syntax; hex, inf and nan are not numbers here.
bool IsFloat(const std::string& s, double* out) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+'))
      return false;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

bool IsNumber(const std::string& s) {
  double unused;
  return !s.empty() && (IsInteger(s) || IsFloat(s, &unused));
}

bool ValidKey(const std::string& key) {
  if (key.empty()) return false;
  for (unsigned char c : key)
    if (c <= ' ' || c == 0x7f || c == '=') return false;
  return true;
}

std::string Lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

}  // namespace

Value ArgvValue(const std::string& text) {
  if (text.empty()) return text;
  if (IsInteger(text)) {
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (errno != ERANGE) return static_cast<int64_t>(v);
  }
  double d;
  if (IsFloat(text, &d)) return d;
  std::string lower = Lower(text);
  if (lower == "true") return true;
  if (lower == "false") return false;
  return text;
}

Value ParseArgvParams(const std::vector<std::string>& args) {
  Value out = Value::object();
  auto set = [&out](const std::string& key, Value v) {
    if (!ValidKey(key)) return;
    out[key] = std::move(v);  // ordered_json keeps the first position, takes the last value
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if (a.size() < 3 || a[0] != '-' || a[1] != '-') continue;
    std::string body = a.substr(2);
    size_t eq = body.find('=');
    if (eq != std::string::npos) {
      set(body.substr(0, eq), ArgvValue(body.substr(eq + 1)));
      continue;
    }
    bool has_value = i + 1 < args.size() && args[i + 1] != "--" &&
                     (args[i + 1].empty() || args[i + 1][0] != '-' || IsNumber(args[i + 1]));
    if (has_value) {
      set(body, ArgvValue(args[i + 1]));
      ++i;
    } else {
      set(body, true);
    }
  }
  return out;
}

}  // namespace sweep
