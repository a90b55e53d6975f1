// JSON columns: non-finite floats travel as marker strings (see store_json.h).
#include "orchestrator/store/store_json.h"

#include <cmath>
#include <limits>

namespace sweep {
namespace {

// JSON has no NaN or infinity (nlohmann writes them as null), so a non-finite float
// in a JSON column is written as one of these strings, which begin with a NUL that
// no spec or metric name produces, and turned back into the float when read.
const std::string kNanToken("\0NaN", 4);
const std::string kInfToken("\0Infinity", 9);
const std::string kNegInfToken("\0-Infinity", 10);

template <typename Json>
bool HasNonFinite(const Json& v) {
  if (v.is_number_float()) return !std::isfinite(v.template get<double>());
  if (v.is_structured()) {
    for (const Json& item : v) {
      if (HasNonFinite(item)) return true;
    }
  }
  return false;
}

// Replaces the non-finite floats in `v` by their markers, in place (a copy of a
// large object would cost as much as the dump).
template <typename Json>
void EncodeNonFinite(Json& v) {
  if (v.is_number_float()) {
    double d = v.template get<double>();
    if (std::isnan(d))
      v = kNanToken;
    else if (std::isinf(d))
      v = d > 0 ? kInfToken : kNegInfToken;
    return;
  }
  if (v.is_structured()) {
    for (Json& item : v) EncodeNonFinite(item);
  }
}

template <typename Json>
std::string Dump(const Json& v) {
  if (HasNonFinite(v)) {
    Json copy = v;
    EncodeNonFinite(copy);
    return copy.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Turns the marker strings in `v` back into non-finite floats, in place.
template <typename Json>
void DecodeNonFinite(Json& v) {
  if (v.is_string()) {
    const auto& s = v.template get_ref<const std::string&>();
    if (s.empty() || s[0] != '\0') return;
    // Assigning to `v` frees the string `s` refers to: decide first.
    if (s == kNanToken) {
      v = std::numeric_limits<double>::quiet_NaN();
    } else if (s == kInfToken) {
      v = std::numeric_limits<double>::infinity();
    } else if (s == kNegInfToken) {
      v = -std::numeric_limits<double>::infinity();
    }
    return;
  }
  if (v.is_structured()) {
    for (Json& item : v) DecodeNonFinite(item);
  }
}

// Parses without nlohmann's callback parser: that one rescans the enclosing object
// at the end of every nested object, which made a summary of 10,000 metric names take
// seconds (quadratic). The markers are decoded in a second walk, and only when the
// text holds an escaped NUL at all.
template <typename Json>
Result<Json> Parse(const std::string& text, const char* column, const std::string& row) {
  Json v = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (v.is_discarded()) {
    return Status::Store("corrupt JSON in column " + std::string(column) + " of " + row);
  }
  if (text.find("\\u0000") != std::string::npos) DecodeNonFinite(v);
  return v;
}

}  // namespace

std::string DumpJson(const Value& v) { return Dump(v); }
std::string DumpJson(const KeyedValue& v) { return Dump(v); }

Result<Value> ParseJson(const std::string& text, const char* column, const std::string& row) {
  return Parse<Value>(text, column, row);
}

Result<KeyedValue> ParseKeyedJson(const std::string& text, const char* column,
                                  const std::string& row) {
  return Parse<KeyedValue>(text, column, row);
}

}  // namespace sweep
