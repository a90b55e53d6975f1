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

template <typename Json>
Result<Json> Parse(const std::string& text, const char* column, const std::string& row) {
  typename Json::parser_callback_t decode = [](int, typename Json::parse_event_t event,
                                               Json& parsed) {
    if (event == Json::parse_event_t::value && parsed.is_string()) {
      const auto& s = parsed.template get_ref<const std::string&>();
      if (!s.empty() && s[0] == '\0') {
        // Assigning to `parsed` frees the string `s` refers to: decide first.
        double decoded = s == kNanToken      ? std::numeric_limits<double>::quiet_NaN()
                         : s == kInfToken    ? std::numeric_limits<double>::infinity()
                         : s == kNegInfToken ? -std::numeric_limits<double>::infinity()
                                             : 0.0;
        bool known = s == kNanToken || s == kInfToken || s == kNegInfToken;
        if (known) parsed = decoded;
      }
    }
    return true;
  };
  Json v = Json::parse(text, decode, /*allow_exceptions=*/false);
  if (v.is_discarded()) {
    return Status::Store("corrupt JSON in column " + std::string(column) + " of " + row);
  }
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
