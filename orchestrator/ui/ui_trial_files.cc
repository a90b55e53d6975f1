// Trial folder access for the dashboard, with std::filesystem and bounded reads.
//
// The traversal check works on the request's own text first (reject "..", absolute
// paths, NUL, backslashes) and then on the resolved path (weakly_canonical of both
// folder and file, so a symlink that points out of the trial folder is refused too).
// Reads are bounded: logs are tailed with a seek, listings stop at max_entries.
#include "orchestrator/ui/ui_trial_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sweep {
namespace fs = std::filesystem;

Result<Value> TailTrialLog(const std::string& trial_dir, const std::string& stream,
                           size_t max_bytes) {
  if (stream != "stdout" && stream != "stderr") {
    return Status::Usage("stream must be stdout or stderr");
  }
  Value out = Value::object();
  out["stream"] = stream;
  std::string path = trial_dir + "/" + stream + ".log";
  std::ifstream in(path, std::ios::binary);
  if (trial_dir.empty() || !in) {
    out["size"] = 0;
    out["truncated"] = false;
    out["text"] = "";
    out["missing"] = true;
    return out;
  }
  in.seekg(0, std::ios::end);
  auto size = static_cast<size_t>(std::max<std::streamoff>(0, in.tellg()));
  size_t start = size > max_bytes ? size - max_bytes : 0;
  in.seekg(static_cast<std::streamoff>(start));
  std::string text(size - start, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(std::max<std::streamsize>(0, in.gcount())));
  if (start > 0) {  // start at a line boundary so the first line is whole
    auto nl = text.find('\n');
    if (nl != std::string::npos && nl + 1 < text.size()) text.erase(0, nl + 1);
  }
  out["size"] = size;
  out["truncated"] = start > 0;
  out["text"] = std::move(text);
  return out;
}

Value ListTrialFiles(const std::string& trial_dir, size_t max_entries) {
  Value out = Value::object();
  Value files = Value::array();
  bool truncated = false;
  std::error_code ec;
  std::vector<std::pair<std::string, uintmax_t>> found;
  if (!trial_dir.empty() && fs::is_directory(trial_dir, ec)) {
    fs::recursive_directory_iterator it(trial_dir, fs::directory_options::skip_permission_denied,
                                        ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it.depth() > 8) {
        it.disable_recursion_pending();
        continue;
      }
      std::error_code e2;
      if (!it->is_regular_file(e2) || it->is_symlink(e2)) continue;
      if (found.size() >= max_entries) {
        truncated = true;
        break;
      }
      found.emplace_back(fs::relative(it->path(), trial_dir, e2).generic_string(),
                         it->file_size(e2));
    }
  }
  std::sort(found.begin(), found.end());
  for (auto& [path, size] : found) files.push_back({{"path", path}, {"size", size}});
  out["files"] = std::move(files);
  out["truncated"] = truncated;
  return out;
}

Result<std::string> ResolveTrialFile(const std::string& trial_dir, const std::string& relative) {
  if (relative.empty() || relative.front() == '/' || relative.find('\0') != std::string::npos ||
      relative.find('\\') != std::string::npos) {
    return Status::Usage("bad file path");
  }
  for (const auto& part : fs::path(relative)) {
    if (part == "..") return Status::Usage("bad file path");
  }
  if (trial_dir.empty()) return Status::NotFound("trial has no folder");
  std::error_code ec;
  fs::path root = fs::weakly_canonical(trial_dir, ec);
  if (ec) return Status::NotFound("trial folder missing");
  fs::path file = fs::weakly_canonical(fs::path(trial_dir) / relative, ec);
  if (ec || !fs::is_regular_file(file, ec)) return Status::NotFound("no such file: " + relative);
  auto [r, f] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
  if (r != root.end()) return Status::NotFound("no such file: " + relative);
  return file.string();
}

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return Status::Io("cannot read " + path + ": " + ec.message());
  if (size > max_bytes)
    return Status::Usage("file too large to serve (" + std::to_string(size) + " bytes)");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Io("cannot open " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

Value ReadTrialProvenance(const std::string& trial_dir) {
  if (trial_dir.empty()) return Value();
  std::string path = trial_dir + "/provenance.json";
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return Value();
  auto text = ReadSmallFile(path, 4 << 20);
  if (!text.ok()) return Value{{"error", text.status().message()}};
  Value v = Value::parse(*text, nullptr, false);
  if (v.is_discarded()) return Value{{"error", "provenance.json is not valid JSON"}};
  return v;
}

}  // namespace sweep
