// The SQL schema of the sweep store (schemas/store.sql), as versioned steps.
//
// Plain text, no SQLite here: the store (sqlite_store.cc) applies the steps, tests
// compare them with schemas/store.sql.
#pragma once

#include <string>
#include <vector>

namespace sweep {

// Step i (0-based) takes a store from schema version i to i+1 (PRAGMA user_version);
// the current version is the list's size. Adding a version = appending one step here
// and the same text to schemas/store.sql. Thread-safe (immutable after first use).
const std::vector<std::string>& StoreMigrations();

}  // namespace sweep
