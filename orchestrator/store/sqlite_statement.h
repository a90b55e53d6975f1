// Statement: a borrowed, cached SQLite prepared statement. Private to the store's
// .cc files (sqlite_store.cc, store_agents.cc): nothing else includes sqlite3.h.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>

namespace sweep {

// A borrowed cached statement, reset and unbound when it goes out of scope so the
// next user finds it clean. Bind errors are remembered and reported by Step().
class Statement {
 public:
  explicit Statement(sqlite3_stmt* s) : s_(s) {}
  ~Statement() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void BindInt(int i, int64_t v) { Check(sqlite3_bind_int64(s_, i, v)); }
  void BindDouble(int i, double v) { Check(sqlite3_bind_double(s_, i, v)); }
  void BindNull(int i) { Check(sqlite3_bind_null(s_, i)); }
  void BindText(int i, const std::string& v) {
    Check(sqlite3_bind_text64(s_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  void BindOptionalInt(int i, const std::optional<int>& v) {
    if (v)
      BindInt(i, *v);
    else
      BindNull(i);
  }
  // SQLITE_ROW, SQLITE_DONE, or the bind/step error code.
  int Step() { return bind_rc_ != SQLITE_OK ? bind_rc_ : sqlite3_step(s_); }
  // Resets for another round of binds (the hot insert loop).
  void Reset() { sqlite3_reset(s_); }

  int64_t Int(int col) const { return sqlite3_column_int64(s_, col); }
  double Double(int col) const { return sqlite3_column_double(s_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  std::string Text(int col) const {
    const unsigned char* p = sqlite3_column_text(s_, col);
    if (p == nullptr) return std::string();
    return std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(s_, col));
  }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }
  sqlite3_stmt* s_;
  int bind_rc_ = SQLITE_OK;
};

}  // namespace sweep
