// Trial folder access for the dashboard: bounded reads that never follow a symlink.
//
// Reads go through OpenUnder (base/safe_open.h), which walks the relative path with
// openat and O_NOFOLLOW and accepts only a regular file, so no symlink is followed and
// a swap between check and read is impossible. Reads are bounded: logs are tailed with
// pread from the end, files are refused above a size, listings stop at max_entries.
#include "orchestrator/ui/ui_trial_files.h"

#include <algorithm>
#include <filesystem>

#include "base/safe_open.h"

namespace sweep {
namespace fs = std::filesystem;

Result<Value> TailTrialLog(const std::string& trial_dir, const std::string& stream,
                           size_t max_bytes) {
  if (stream != "stdout" && stream != "stderr") {
    return Status::Usage("stream must be stdout or stderr");
  }
  Value out = Value::object();
  out["stream"] = stream;
  auto file = OpenUnder(trial_dir, stream + ".log");
  if (!file.ok() && file.status().code() == ErrorCode::kNotFound) {
    out["size"] = 0;
    out["truncated"] = false;
    out["text"] = "";
    out["missing"] = true;
    return out;
  }
  if (!file.ok()) return file.status();
  uint64_t size = file->size;
  uint64_t start = size > max_bytes ? size - max_bytes : 0;
  auto text = ReadAt(*file, start, static_cast<size_t>(size - start));
  if (!text.ok()) return text.status();
  if (start > 0) {  // start at a line boundary so the first line is whole
    auto nl = text->find('\n');
    if (nl != std::string::npos && nl + 1 < text->size()) text->erase(0, nl + 1);
  }
  out["size"] = size;
  out["truncated"] = start > 0;
  out["text"] = std::move(*text);
  return out;
}

Value ListTrialFiles(const std::string& trial_dir, size_t max_entries) {
  Value out = Value::object();
  Value files = Value::array();
  bool truncated = false;
  std::error_code ec;
  std::vector<std::pair<std::string, uintmax_t>> found;
  // symlink_status: a trial folder replaced by a link is not listed.
  if (!trial_dir.empty() && fs::is_directory(fs::symlink_status(trial_dir, ec))) {
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

Result<std::string> ReadTrialFile(const std::string& trial_dir, const std::string& relative,
                                  size_t max_bytes) {
  if (relative.find('\\') != std::string::npos) return Status::Usage("bad file path");
  if (trial_dir.empty()) return Status::NotFound("trial has no folder");
  return ReadSmallFileUnder(trial_dir, relative, max_bytes);
}

Value ReadTrialProvenance(const std::string& trial_dir) {
  if (trial_dir.empty()) return Value();
  auto text = ReadSmallFileUnder(trial_dir, "provenance.json", 4 << 20);
  if (!text.ok() && text.status().code() == ErrorCode::kNotFound) return Value();
  if (!text.ok()) return Value{{"error", text.status().message()}};
  Value v = Value::parse(*text, nullptr, false);
  if (v.is_discarded()) return Value{{"error", "provenance.json is not valid JSON"}};
  return v;
}

}  // namespace sweep
