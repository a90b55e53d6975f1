// Store integrity checks.
//
// quick_check verifies every b-tree page (structure, free list, cell sizes, NOT
// NULL) in one pass over the file without cross-checking indexes against tables; it
// is what a command can afford when it opens a store. integrity_check adds the index
// checks and is `sweep doctor`'s job. Both return "ok" or up to N lines describing
// damage. A progress handler counts elapsed time so a multi-gigabyte store is
// checked only as far as the budget allows: a partial check is better than none and
// never blocks a command for long. SQLITE_CORRUPT or SQLITE_NOTADB while stepping the
// pragma is damage too (the check could not even walk the file).
#include "orchestrator/store/store_integrity.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>

namespace sweep {
namespace {

using Clock = std::chrono::steady_clock;

struct Deadline {
  Clock::time_point at;
  bool hit = false;
};

int OnProgress(void* arg) {
  auto* d = static_cast<Deadline*>(arg);
  if (Clock::now() < d->at) return 0;
  d->hit = true;
  return 1;  // interrupts the statement (SQLITE_INTERRUPT)
}

}  // namespace

IntegrityReport CheckIntegrity(sqlite3* db, bool full, double budget_s, int max_problems) {
  IntegrityReport report;
  Deadline deadline;
  if (budget_s > 0) {
    deadline.at = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(budget_s));
    sqlite3_progress_handler(db, 1000, &OnProgress, &deadline);
  }
  const std::string sql = std::string(full ? "PRAGMA integrity_check(" : "PRAGMA quick_check(") +
                          std::to_string(max_problems) + ")";
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  if (rc == SQLITE_OK) {
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      std::string line = text ? reinterpret_cast<const char*>(text) : "";
      if (line != "ok") report.problems.push_back(line);
    }
  }
  const int code = rc & 0xff;
  if (code == SQLITE_INTERRUPT && deadline.hit) {
    report.complete = false;
  } else if (code != SQLITE_DONE && code != SQLITE_OK) {
    // The check itself failed: CORRUPT / NOTADB / IOERR mean the file is damaged.
    report.problems.push_back(std::string(sqlite3_errstr(rc)) + ": " + sqlite3_errmsg(db));
  }
  sqlite3_finalize(stmt);
  if (budget_s > 0) sqlite3_progress_handler(db, 0, nullptr, nullptr);
  return report;
}

std::string DamageMessage(const std::string& db_path, const IntegrityReport& report) {
  std::string found;
  for (size_t i = 0; i < report.problems.size() && i < 3; ++i)
    found += (i ? "; " : "") + report.problems[i];
  if (report.problems.size() > 3)
    found += "; and " + std::to_string(report.problems.size() - 3) + " more";
  return "the sweep store " + db_path + " is damaged (SQLite found: " + found +
         "). Nothing was written to it. Run `sweep doctor` for a full check; to salvage what "
         "is readable, stop every sweep on it, then `sqlite3 " +
         db_path +
         " .recover | sqlite3 recovered.db` and move recovered.db in its place, or "
         "restore a copy";
}

Result<IntegrityReport> CheckStoreFile(const std::string& root) {
  const std::string db_path = root + "/sweep.db";
  std::error_code ec;
  if (!std::filesystem::exists(db_path, ec)) {
    return Status::NotFound("no sweep store at " + root + " (no " + db_path + ")");
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::Store("cannot open " + db_path + ": " + msg);
  }
  sqlite3_busy_timeout(db, 10000);
  IntegrityReport report = CheckIntegrity(db, /*full=*/true, /*budget_s=*/0, /*max_problems=*/100);
  sqlite3_close_v2(db);
  return report;
}

}  // namespace sweep
