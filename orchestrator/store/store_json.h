// JSON columns of the store: how values are written to and read from SQLite text.
// Private to the store's .cc files.
#pragma once

#include <string>

#include "base/status.h"
#include "base/value.h"
#include "orchestrator/store/records.h"

namespace sweep {

// Compact JSON; invalid UTF-8 in strings is replaced rather than thrown on. NaN and
// +-infinity (which JSON lacks) are written as NUL-prefixed marker strings.
std::string DumpJson(const Value& v);
std::string DumpJson(const KeyedValue& v);

// Parses a column written by DumpJson, turning the markers back into floats. kStore
// naming the column and the row when the text is not JSON.
Result<Value> ParseJson(const std::string& text, const char* column, const std::string& row);
// ParseJson into a key-sorted object: linear-logarithmic in its keys where a Value
// (insertion-ordered) would be quadratic. For the trial summary column.
Result<KeyedValue> ParseKeyedJson(const std::string& text, const char* column,
                                  const std::string& row);

}  // namespace sweep
