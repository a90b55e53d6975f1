// Value formatting in Python's conventions.
//
// W&B's agent formats every flag with Python's str(), so a program that parses its
// flags for W&B must see byte-identical text from us: floats use the shortest
// round-trip digits (std::to_chars gives exactly those) laid out with repr()'s rule
// (scientific when the exponent is < -4 or >= 16, exponent with at least two digits).
#include "base/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace sweep {
namespace {

std::string PythonReprString(const std::string& s) {
  // Python prefers single quotes unless the string contains one and no double quote.
  bool has_single = s.find('\'') != std::string::npos;
  bool has_double = s.find('"') != std::string::npos;
  char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : s) {
    if (c == static_cast<unsigned char>(quote) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += quote;
  return out;
}

std::string Repr(const Value& v) {
  if (v.is_string()) return PythonReprString(v.get<std::string>());
  return FormatPython(v);
}

}  // namespace

std::string FormatPythonFloat(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  // Shortest round-trip digits in scientific form: d.ddde[+-]X.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  size_t epos = sci.find('e');
  std::string mant = sci.substr(0, epos);
  int exp = std::atoi(sci.c_str() + epos + 1);
  bool neg = mant[0] == '-';
  if (neg) mant.erase(0, 1);
  std::string digits;
  for (char c : mant)
    if (c != '.') digits += c;
  std::string out = neg ? "-" : "";
  if (exp < -4 || exp >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char ebuf[16];
    std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    out += ebuf;
  } else if (exp < 0) {
    out += "0." + std::string(-exp - 1, '0') + digits;
  } else {
    int int_len = exp + 1;
    if (static_cast<int>(digits.size()) <= int_len) {
      out += digits + std::string(int_len - digits.size(), '0') + ".0";
    } else {
      out += digits.substr(0, int_len) + "." + digits.substr(int_len);
    }
  }
  return out;
}

std::string FormatPython(const Value& v) {
  switch (v.type()) {
    case Value::value_t::null:
      return "None";
    case Value::value_t::boolean:
      return v.get<bool>() ? "True" : "False";
    case Value::value_t::number_integer:
      return std::to_string(v.get<int64_t>());
    case Value::value_t::number_unsigned:
      return std::to_string(v.get<uint64_t>());
    case Value::value_t::number_float:
      return FormatPythonFloat(v.get<double>());
    case Value::value_t::string:
      return v.get<std::string>();
    case Value::value_t::array: {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) out += ", ";
        out += Repr(v[i]);
      }
      return out + "]";
    }
    case Value::value_t::object: {
      std::string out = "{";
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ", ";
        first = false;
        out += PythonReprString(it.key()) + ": " + Repr(it.value());
      }
      return out + "}";
    }
    default:
      return v.dump();
  }
}

std::string ConfigKey(const Config& config) {
  std::string out;
  for (const Value& v : config) {
    out += v.dump();
    out += '\x1f';
  }
  return out;
}

}  // namespace sweep
