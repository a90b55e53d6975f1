// Which paths a work tree's code capture depends on. The file lists come from git
// itself (`ls-files`, so ignored files — the sweep store, virtual environments, data
// — never invalidate the cache); the folders are derived from them. Folders matter
// because creating a file changes its folder's mtime and nothing else that existed
// before: a new untracked file, even in a new folder, is seen through the folder
// above it. Below an untracked folder git lists only what it holds, so such folders
// are walked for their sub-folders (symbolic links are not followed).
#include "agents/runtime/code_stamp.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <vector>

#include "agents/runtime/subprocess.h"

namespace sweep {
namespace {

constexpr double kGitTimeout = 30;

// NUL-separated fields of `git ls-files -z` (empty fields dropped).
std::vector<std::string> SplitNul(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\0', pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// The capture leaves sweep's folders out, so their churn (a trial folder per trial in
// a store inside the tree) must not count.
bool SweepsOwn(const std::string& name) {
  for (const char* f : kSweepFolders)
    if (name == f) return true;
  return false;
}

// Every folder below `dir` (relative to root), depth first; false past `budget`.
bool WalkFolders(const std::string& root, const std::string& dir, std::set<std::string>& dirs,
                 size_t budget) {
  DIR* d = ::opendir((root + "/" + dir).c_str());
  if (!d) return true;  // vanished: its parent's mtime records that
  bool ok = true;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == ".." || SweepsOwn(name)) continue;
    bool is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st {};
      is_dir = ::lstat((root + "/" + dir + "/" + name).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    }
    if (!is_dir) continue;
    std::string sub = dir + "/" + name;
    dirs.insert(sub);
    if (dirs.size() > budget || !WalkFolders(root, sub, dirs, budget)) {
      ok = false;
      break;
    }
  }
  ::closedir(d);
  return ok;
}

// Git's own configuration and ignore files outside the repository.
void AddUserGitFiles(std::vector<std::string>& paths) {
  paths.push_back("/etc/gitconfig");
  const char* home = std::getenv("HOME");
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  std::string config = xdg && *xdg ? xdg : (home && *home ? std::string(home) + "/.config" : "");
  if (home && *home) paths.push_back(std::string(home) + "/.gitconfig");
  if (!config.empty()) {
    paths.push_back(config + "/git/config");
    paths.push_back(config + "/git/ignore");
  }
}

}  // namespace

std::vector<std::string> WithoutSweepFolders(std::vector<std::string> git_args) {
  git_args.push_back("--");
  git_args.push_back(".");
  for (const char* f : kSweepFolders)
    git_args.push_back(std::string(":(exclude,glob)**/") + f + "/**");
  return git_args;
}

StatStamp StampOutsideRepository(const std::string& cwd) {
  std::vector<std::string> paths;
  std::string dir = cwd;
  while (!dir.empty()) {
    paths.push_back((dir == "/" ? "" : dir) + "/.git");
    if (dir == "/") break;
    size_t slash = dir.rfind('/');
    dir = slash == 0 ? "/" : (slash == std::string::npos ? "" : dir.substr(0, slash));
  }
  AddUserGitFiles(paths);
  return StatStamp::Take(std::move(paths));
}

StatStamp StampWorkTree(const std::string& root, const std::string& git_dir,
                        const std::string& common_dir) {
  std::vector<std::string> paths = {root + "/.git",
                                    git_dir + "/HEAD",
                                    git_dir + "/index",
                                    common_dir + "/packed-refs",
                                    common_dir + "/config",
                                    common_dir + "/info/exclude",
                                    git_dir + "/config.worktree"};
  std::ifstream head(git_dir + "/HEAD");
  std::string line;
  if (std::getline(head, line) && line.rfind("ref: ", 0) == 0) {
    std::string ref = line.substr(5);
    paths.push_back(common_dir + "/" + ref);
    if (git_dir != common_dir) paths.push_back(git_dir + "/" + ref);
  }
  AddUserGitFiles(paths);

  auto ls_files = [&](std::vector<std::string> which) {
    std::vector<std::string> argv = {
        "git", "--no-optional-locks", "-c", "core.quotepath=off", "ls-files", "-z"};
    argv.insert(argv.end(), which.begin(), which.end());
    return RunCapture(WithoutSweepFolders(std::move(argv)), kGitTimeout, root, 256ull << 20);
  };
  auto files = ls_files({"--cached", "--others", "--exclude-standard"});
  auto untracked_dirs = ls_files({"--others", "--directory", "--exclude-standard"});
  if (!files.ok() || !untracked_dirs.ok()) return StatStamp();
  std::set<std::string> dirs = {""};
  std::vector<std::string> listed = SplitNul(*files);
  if (listed.size() > kMaxStampPaths) return StatStamp();
  std::vector<std::string> tree_files;
  tree_files.reserve(listed.size());
  for (const auto& f : listed) {
    tree_files.push_back(root + "/" + f);
    for (size_t slash = f.find('/'); slash != std::string::npos; slash = f.find('/', slash + 1))
      dirs.insert(f.substr(0, slash));
  }
  for (std::string d : SplitNul(*untracked_dirs)) {
    if (d.empty() || d.back() != '/') continue;  // a file: already listed
    d.pop_back();
    dirs.insert(d);
    if (!WalkFolders(root, d, dirs, kMaxStampPaths)) return StatStamp();
  }
  if (dirs.size() + tree_files.size() + paths.size() > kMaxStampPaths) return StatStamp();
  std::vector<std::string> tree_dirs;
  tree_dirs.reserve(dirs.size());
  for (const auto& d : dirs) tree_dirs.push_back(d.empty() ? root : root + "/" + d);
  // The work tree's folders watched, its files are checked by reading one queue;
  // git's own files keep their lstat (git replaces them by rename, and they are few).
  if (std::shared_ptr<DirWatch> watch = DirWatch::Start(tree_dirs, tree_files))
    return StatStamp::Take(std::move(paths), std::move(watch));
  paths.insert(paths.end(), tree_files.begin(), tree_files.end());
  paths.insert(paths.end(), tree_dirs.begin(), tree_dirs.end());
  return StatStamp::Take(std::move(paths));
}

}  // namespace sweep
