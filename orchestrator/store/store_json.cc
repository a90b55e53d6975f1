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

bool HasNonFinite(const Value& v) {
  if (v.is_number_float()) return !std::isfinite(v.get<double>());
  if (v.is_structured()) {
    for (const Value& item : v) {
      if (HasNonFinite(item)) return true;
    }
  }
  return false;
}

Value EncodeNonFinite(const Value& v) {
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::isnan(d)) return kNanToken;
    if (std::isinf(d)) return d > 0 ? kInfToken : kNegInfToken;
    return v;
  }
  if (v.is_object()) {
    Value out = Value::object();
    for (auto it = v.begin(); it != v.end(); ++it) out[it.key()] = EncodeNonFinite(it.value());
    return out;
  }
  if (v.is_array()) {
    Value out = Value::array();
    for (const Value& item : v) out.push_back(EncodeNonFinite(item));
    return out;
  }
  return v;
}

}  // namespace

std::string DumpJson(const Value& v) {
  if (HasNonFinite(v)) {
    return EncodeNonFinite(v).dump(-1, ' ', false, Value::error_handler_t::replace);
  }
  return v.dump(-1, ' ', false, Value::error_handler_t::replace);
}

Result<Value> ParseJson(const std::string& text, const char* column, const std::string& row) {
  Value::parser_callback_t decode = [](int, Value::parse_event_t event, Value& parsed) {
    if (event == Value::parse_event_t::value && parsed.is_string()) {
      const auto& s = parsed.get_ref<const std::string&>();
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
  Value v = Value::parse(text, decode, /*allow_exceptions=*/false);
  if (v.is_discarded()) {
    return Status::Store("corrupt JSON in column " + std::string(column) + " of " + row);
  }
  return v;
}

}  // namespace sweep
