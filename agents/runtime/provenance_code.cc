// Code provenance through git subprocesses.
//
// Two caches. The first answers a working directory from its stamp
// (agents/runtime/code_stamp.h): while every stamped path lstat()s as it did when the
// last capture began, nothing git would report can differ, so no git runs at all.
// Otherwise the capture runs: `git rev-parse` (is this a repository?), HEAD (any
// commits?), then `git status --porcelain=v2 -z` (every git here runs with
// --no-optional-locks: none may rewrite the stamped index) whose output, together
// with HEAD and the size+mtime of every changed path, keys the second cache, so an
// unchanged diff is not re-made. The stamp is taken before git runs, so an edit
// during the capture shows up as a changed stamp at the next trial; a path git names
// that the stamp does not cover (created mid-capture) leaves the stamp unused. On a
// miss the diff is
// produced by `git diff HEAD --binary` against a throw-away copy of the index (in
// which the small untracked files were added with --intent-to-add), so git itself
// writes them as new-file diffs (binary ones as "GIT binary patch"); the real index
// is never touched. The diff's size is bounded by RunCapture's log cap, which keeps
// the tail behind a "[sweep: N earlier bytes dropped]" marker: seeing the marker is
// how truncation (and the original size) is known.
#include "agents/runtime/provenance_code.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <regex>

#include "agents/runtime/code_stamp.h"
#include "agents/runtime/metric_reader.h"
#include "agents/runtime/stat_stamp.h"
#include "agents/runtime/subprocess.h"

namespace sweep {
namespace {

namespace fs = std::filesystem;
constexpr double kGitTimeout = 30;

Result<std::string> Git(const std::string& cwd, std::vector<std::string> args,
                        uint64_t max_bytes = 16ull << 20) {
  // No command may rewrite the index (git diff and status refresh it when they can):
  // its stat is part of the stamp, and the capture must not change what it records.
  args.insert(args.begin(), {"git", "--no-optional-locks"});
  return RunCapture(args, kGitTimeout, cwd, max_bytes);
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// Paths named by `git status --porcelain=v2 -z` (ordinary, renamed, unmerged,
// untracked); renamed entries carry the original path as the next NUL field.
void ParseStatus(const std::string& status, std::vector<std::string>& changed,
                 std::vector<std::string>& untracked) {
  size_t pos = 0;
  bool skip_next = false;
  while (pos < status.size()) {
    size_t end = status.find('\0', pos);
    if (end == std::string::npos) end = status.size();
    std::string field = status.substr(pos, end - pos);
    pos = end + 1;
    if (skip_next) {
      skip_next = false;
      continue;
    }
    if (field.size() < 2) continue;
    char kind = field[0];
    auto last_field = [&](int spaces) {
      size_t p = 0;
      for (int i = 0; i < spaces && p != std::string::npos; ++i) p = field.find(' ', p + 1);
      return p == std::string::npos ? std::string() : field.substr(p + 1);
    };
    if (kind == '?') {
      untracked.push_back(field.substr(2));
    } else if (kind == '1') {
      changed.push_back(last_field(8));
    } else if (kind == '2') {
      changed.push_back(last_field(9));
      skip_next = true;
    } else if (kind == 'u') {
      changed.push_back(last_field(10));
    }
  }
}

std::string StatKey(const std::string& root, const std::vector<std::string>& paths) {
  std::string key;
  for (const auto& p : paths) {
    struct stat st {};
    std::string full = root + "/" + p;
    if (::lstat(full.c_str(), &st) == 0) {
      key += p + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
             std::to_string(st.st_mtim.tv_nsec) + ";";
    } else {
      key += p + ":gone;";
    }
  }
  return key;
}

// The diff part of a dirty tree: fills diff, diff_body, untracked.
void CaptureDiff(const CodeCaptureOptions& o, const std::string& root,
                 const std::vector<std::string>& untracked, Value& code) {
  Value listed = Value::array();
  std::vector<std::string> include;
  for (const auto& p : untracked) {
    std::error_code ec;
    auto size = fs::file_size(root + "/" + p, ec);
    bool small = !ec && size <= o.max_untracked_file_bytes;
    if (small) include.push_back(p);
    listed.push_back({{"path", p}, {"size", ec ? 0 : size}, {"included", small}});
  }
  code["untracked"] = listed;

  std::string tmp_index;
  std::vector<std::string> diff_args = {"git",      "--no-optional-locks", "diff",         "HEAD",
                                        "--binary", "--no-color",          "--no-ext-diff"};
  // git diff refreshes the index it reads and writes it back even with
  // --no-optional-locks (git 2.39), so it reads a throw-away copy: the real index,
  // whose stat the cache stamps, is never touched.
  auto index = Git(root, {"rev-parse", "--git-path", "index"});
  char tmpl[] = "/tmp/sweep-index-XXXXXX";
  int fd = ::mkstemp(tmpl);
  if (fd >= 0) {
    ::close(fd);
    std::error_code ec;
    std::string real = index.ok() ? Trim(*index) : "";
    if (!real.empty() && real[0] != '/') real = root + "/" + real;
    fs::copy_file(real, tmpl, fs::copy_options::overwrite_existing, ec);
    // The copy keeps the index's mtime: git finds "racily clean" entries (a file
    // written in the same tick as the index) by comparing them with it, and a newer
    // copy would make such a modified file look unchanged.
    struct stat st {};
    if (!ec && ::stat(real.c_str(), &st) == 0) {
      struct timespec times[2] = {st.st_atim, st.st_mtim};
      if (::utimensat(AT_FDCWD, tmpl, times, 0) != 0)
        ec = std::error_code(errno, std::generic_category());
    }
    if (ec)
      ::unlink(tmpl);
    else
      tmp_index = tmpl;
  }
  if (!include.empty()) {
    bool added = false;
    if (!tmp_index.empty()) {
      std::vector<std::string> add = {"env", "GIT_INDEX_FILE=" + tmp_index,
                                      "git", "--no-optional-locks",
                                      "add", "--intent-to-add",
                                      "--"};
      add.insert(add.end(), include.begin(), include.end());
      added = RunCapture(add, kGitTimeout, root).ok();
    }
    if (!added)
      for (auto& u : code["untracked"]) u["included"] = false;
  }
  if (!tmp_index.empty())
    diff_args.insert(diff_args.begin(), {"env", "GIT_INDEX_FILE=" + tmp_index});
  // RunCapture keeps max/2 bytes of tail past the cap; twice the cap keeps it exact.
  auto diff = RunCapture(diff_args, kGitTimeout, root, o.max_diff_bytes * 2);
  if (!tmp_index.empty()) ::unlink(tmp_index.c_str());
  if (!diff.ok()) {
    code["note"] = "git diff failed: " + diff.status().message();
    return;
  }
  std::string body = std::move(diff).value();
  uint64_t original = body.size();
  bool truncated = false;
  static const std::regex kMarker(R"(^\[sweep: (\d+) earlier bytes dropped\]\n?)");
  std::smatch m;
  if (body.rfind("[sweep: ", 0) == 0 && std::regex_search(body, m, kMarker)) {
    truncated = true;
    uint64_t dropped = std::stoull(m[1].str());
    body.erase(0, m[0].length());
    original = dropped + body.size();
  }
  if (body.size() > o.max_diff_bytes) {
    truncated = true;
    body.resize(o.max_diff_bytes);
  }
  Value d = {{"sha256", Sha256Hex(body)},
             {"size", body.size()},
             {"truncated", truncated},
             {"original_size", original}};
  if (ValidUtf8(body) == body) {
    d["encoding"] = "text";
    code["diff_body"] = body;
  } else {
    d["encoding"] = "base64";
    code["diff_body"] = Base64Encode(body);
  }
  code["diff"] = d;
}

// The full capture's cache: one entry per repository root, keyed by HEAD, the
// status text and the changed paths' sizes and mtimes, so the diff is only re-made
// when one of them changed.
struct CacheEntry {
  std::string key;
  Value code;
};
// The fast path: one entry per (working directory, caps), valid while its stamp is.
struct TreeEntry {
  StatStamp stamp;
  Value code;
};
// A program file's hash, valid while its stamp is.
struct ProgramEntry {
  StatStamp stamp;
  std::string sha256;
};
std::mutex cache_mu;
std::atomic<uint64_t> captures_run{0};
std::map<std::string, CacheEntry>* cache = new std::map<std::string, CacheEntry>();
std::map<std::string, TreeEntry>* trees = new std::map<std::string, TreeEntry>();
std::map<std::string, ProgramEntry>* programs = new std::map<std::string, ProgramEntry>();

std::string ParentOf(const std::string& root, const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? root : root + "/" + path.substr(0, slash);
}

// The capture itself (git subprocesses). `stamp` receives what decides the answer,
// taken before git looks at the tree, so a change during the capture shows up as a
// changed stamp later; it is left untaken (never reused) when the capture named a
// path the stamp does not cover.
Value CaptureGitUncached(const CodeCaptureOptions& o, const std::string& cwd, StatStamp* stamp) {
  Value code = {{"repo", false}};
  StatStamp outside = StampOutsideRepository(cwd);
  auto dirs = Git(cwd, {"rev-parse", "--path-format=absolute", "--show-toplevel",
                        "--absolute-git-dir", "--git-common-dir"});
  std::vector<std::string> lines;
  if (dirs.ok()) {
    std::string text = *dirs;
    for (size_t pos = 0; pos < text.size();) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      lines.push_back(text.substr(pos, nl - pos));
      pos = nl + 1;
    }
  }
  if (!dirs.ok() || lines.size() < 3) {
    code["note"] = "not a git repository";
    *stamp = std::move(outside);
    return code;
  }
  std::string root = lines[0];
  *stamp = StampWorkTree(root, lines[1], lines[2]);
  code["repo"] = true;
  code["root"] = root;
  auto remote = Git(root, {"config", "--get", "remote.origin.url"});
  if (!remote.ok()) {
    auto remotes = Git(root, {"remote"});
    std::string first = remotes.ok() ? Trim(remotes->substr(0, remotes->find('\n'))) : "";
    if (!first.empty()) remote = Git(root, {"config", "--get", "remote." + first + ".url"});
  }
  code["remote"] = remote.ok() ? StripUrlCredentials(Trim(*remote)) : "";
  auto head = Git(root, {"rev-parse", "--verify", "-q", "HEAD"});
  if (!head.ok()) {
    code["commit"] = "";
    code["branch"] = "";
    code["dirty"] = true;
    code["note"] = "repository has no commits";
    return code;
  }
  code["commit"] = Trim(*head);
  auto branch = Git(root, {"symbolic-ref", "-q", "--short", "HEAD"});
  code["branch"] = branch.ok() ? Trim(*branch) : "detached";

  // sweep's own folders are not the user's code: a store inside an un-ignored
  // repository would otherwise make every trial dirty with the database in its diff,
  // and a new stamp every trial.
  auto status =
      Git(root, WithoutSweepFolders({"status", "--porcelain=v2", "-z", "--untracked-files=all"}));
  if (!status.ok()) {
    code["note"] = "git status failed: " + status.status().message();
    *stamp = StatStamp();
    return code;
  }
  std::vector<std::string> changed, untracked;
  ParseStatus(*status, changed, untracked);
  std::vector<std::string> all = changed;
  all.insert(all.end(), untracked.begin(), untracked.end());
  for (const auto& p : all)
    if (!stamp->Has(root + "/" + p) || !stamp->Has(ParentOf(root, p))) *stamp = StatStamp();
  std::string key = code["commit"].get<std::string>() + "\n" + *status + "\n" + StatKey(root, all) +
                    "\n" + std::to_string(o.max_diff_bytes) + ":" +
                    std::to_string(o.max_untracked_file_bytes);
  {
    std::lock_guard<std::mutex> lock(cache_mu);
    auto it = cache->find(root);
    if (it != cache->end() && it->second.key == key) return it->second.code;
  }
  code["dirty"] = !all.empty();
  code["untracked"] = Value::array();
  if (!all.empty()) CaptureDiff(o, root, untracked, code);
  std::lock_guard<std::mutex> lock(cache_mu);
  (*cache)[root] = CacheEntry{key, code};
  return code;
}

// Answered from the stamp when nothing it covers changed; otherwise captured again.
Value CaptureGit(const CodeCaptureOptions& o, const std::string& cwd) {
  std::string tree_key = cwd + "\n" + std::to_string(o.max_diff_bytes) + ":" +
                         std::to_string(o.max_untracked_file_bytes);
  {
    std::lock_guard<std::mutex> lock(cache_mu);
    auto it = trees->find(tree_key);
    if (it != trees->end() && it->second.stamp.Unchanged()) return it->second.code;
  }
  StatStamp stamp;
  captures_run++;
  Value code = CaptureGitUncached(o, cwd, &stamp);
  std::lock_guard<std::mutex> lock(cache_mu);
  (*trees)[tree_key] = TreeEntry{std::move(stamp), code};
  return code;
}

// SHA-256 of a program file, re-read only when its stamp changed.
std::string ProgramHash(const std::string& path) {
  {
    std::lock_guard<std::mutex> lock(cache_mu);
    auto it = programs->find(path);
    if (it != programs->end() && it->second.stamp.Unchanged()) return it->second.sha256;
  }
  StatStamp stamp = StatStamp::Take({path});  // before reading: a later write is a change
  std::string sha = Sha256File(path);
  std::lock_guard<std::mutex> lock(cache_mu);
  (*programs)[path] = ProgramEntry{std::move(stamp), sha};
  return sha;
}

// The cached answers CaptureGit and ProgramHash would give, or nullopt when one is
// missing, stale, stamped with more than max_paths paths, or its lock is busy.
std::optional<Value> CachedGit(const CodeCaptureOptions& o, const std::string& cwd,
                               size_t max_paths) {
  std::string tree_key = cwd + "\n" + std::to_string(o.max_diff_bytes) + ":" +
                         std::to_string(o.max_untracked_file_bytes);
  std::unique_lock<std::mutex> lock(cache_mu, std::try_to_lock);
  if (!lock.owns_lock()) return std::nullopt;
  auto it = trees->find(tree_key);
  if (it == trees->end() || it->second.stamp.size() > max_paths || !it->second.stamp.Unchanged())
    return std::nullopt;
  return it->second.code;
}

std::optional<std::string> CachedProgramHash(const std::string& path) {
  std::unique_lock<std::mutex> lock(cache_mu, std::try_to_lock);
  if (!lock.owns_lock()) return std::nullopt;
  auto it = programs->find(path);
  if (it == programs->end() || !it->second.stamp.Unchanged()) return std::nullopt;
  return it->second.sha256;
}

}  // namespace

std::string StripUrlCredentials(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme != std::string::npos) {
    size_t host_start = scheme + 3;
    size_t path = url.find('/', host_start);
    size_t at = url.rfind('@', path == std::string::npos ? url.size() : path);
    if (at != std::string::npos && at >= host_start)
      return url.substr(0, host_start) + url.substr(at + 1);
    return url;
  }
  // scp form user[:password]@host:path
  size_t at = url.find('@');
  size_t colon = url.find(':');
  if (at != std::string::npos && colon != std::string::npos && colon < at)
    return url.substr(0, colon) + url.substr(at);
  return url;
}

std::string Sha256Hex(const std::string& bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

std::string Sha256File(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return "";
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 20);
  while (f) {
    f.read(buf.data(), buf.size());
    if (f.gcount() > 0) EVP_DigestUpdate(ctx, buf.data(), f.gcount());
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

std::string Base64Encode(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(n < 0 ? 0 : n);
  return out;
}

std::string Base64Decode(const std::string& text) {
  if (text.size() % 4 != 0) return "";
  std::string out(text.size() / 4 * 3 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return "";
  size_t pad = 0;
  if (!text.empty() && text.back() == '=')
    pad = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : 1;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

uint64_t CodeCapturesRun() { return captures_run.load(); }

namespace {

std::string ProgramPath(const std::string& cwd, const std::string& program) {
  std::string path = program[0] == '/' ? program : cwd + "/" + program;
  std::error_code ec;
  std::string abs = fs::weakly_canonical(path, ec).string();
  return ec ? path : abs;
}

}  // namespace

Value CaptureCode(const CodeCaptureOptions& o) {
  std::string cwd = o.workdir.empty() ? fs::current_path().string() : o.workdir;
  Value code = o.git ? CaptureGit(o, cwd) : Value{{"repo", false}, {"note", "git tracking off"}};
  if (!o.program.empty()) {
    std::string abs = ProgramPath(cwd, o.program);
    code["program"] = {{"path", abs}, {"sha256", ProgramHash(abs)}};
  }
  return code;
}

std::optional<Value> CachedCode(const CodeCaptureOptions& o, size_t max_stamp_paths) {
  std::string cwd = o.workdir.empty() ? fs::current_path().string() : o.workdir;
  Value code = Value{{"repo", false}, {"note", "git tracking off"}};
  if (o.git) {
    std::optional<Value> git = CachedGit(o, cwd, max_stamp_paths);
    if (!git) return std::nullopt;
    code = std::move(*git);
  }
  if (!o.program.empty()) {
    std::string abs = ProgramPath(cwd, o.program);
    std::optional<std::string> sha = CachedProgramHash(abs);
    if (!sha) return std::nullopt;
    code["program"] = {{"path", abs}, {"sha256", *sha}};
  }
  return code;
}

}  // namespace sweep
