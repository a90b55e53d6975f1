// Detecting a damaged store: SQLite's own consistency checks, run when a store is
// opened (quick_check, bounded in time) and by `sweep doctor` (integrity_check, in
// full).
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

struct sqlite3;

namespace sweep {

struct IntegrityReport {
  bool complete = true;               // false: the time budget ran out first
  std::vector<std::string> problems;  // SQLite's lines; empty = no damage found
};

// Runs `PRAGMA quick_check(max_problems)` (full: integrity_check, which also reads
// every index entry) on an open connection, interrupting it after `budget_s`
// seconds (<= 0: no limit) so a huge store does not hold up a command. A database
// too damaged for the check to run is reported as one problem, not an error. Not
// thread-safe with other uses of `db`.
IntegrityReport CheckIntegrity(sqlite3* db, bool full, double budget_s, int max_problems = 10);

// The message for a damaged store at `db_path`: what SQLite found (the first lines),
// and what to do (`sweep doctor`, `sqlite3 .recover` into a new file, or a copy).
std::string DamageMessage(const std::string& db_path, const IntegrityReport& report);

// `sweep doctor`: opens root/sweep.db read-only (without migrating it), runs the full
// integrity_check and returns its report. kNotFound when there is no store, kStore
// when the file cannot be opened at all.
Result<IntegrityReport> CheckStoreFile(const std::string& root);

}  // namespace sweep
