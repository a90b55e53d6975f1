// Provenance <-> store columns. The diff blob is written before the row that names
// it (write to a temporary name, then rename), so a row never points at a missing or
// half-written patch; a blob whose row never committed is harmless garbage.
#include "orchestrator/store/store_provenance.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "agents/runtime/provenance_code.h"

namespace sweep {

namespace fs = std::filesystem;

std::string DiffBlobPath(const std::string& root, const std::string& sha256) {
  return root + "/blobs/" + sha256 + ".patch";
}

Result<ProvenanceColumns> SplitProvenance(const Value& p, const std::string& root) {
  ProvenanceColumns c;
  if (!p.is_object()) return c;
  if (p.contains("code")) c.code = p["code"];
  if (c.code.is_object() && c.code.contains("diff_body") && c.code.contains("diff")) {
    std::string body =
        c.code["diff_body"].is_string() ? c.code["diff_body"].get<std::string>() : "";
    if (c.code["diff"].value("encoding", "text") == "base64") body = Base64Decode(body);
    std::string sha = Sha256Hex(body);
    std::string path = DiffBlobPath(root, sha);
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      fs::create_directories(root + "/blobs", ec);
      std::string tmp = path + ".tmp" + std::to_string(::getpid());
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      f.write(body.data(), static_cast<std::streamsize>(body.size()));
      f.close();
      if (!f || (fs::rename(tmp, path, ec), ec))
        return Status::Io("cannot write diff blob '" + path + "'");
    }
    c.code.erase("diff_body");
    c.code["diff"]["sha256"] = sha;
    c.code["diff"]["path"] = path;
  }
  if (p.contains("env_hash") && p["env_hash"].is_string()) c.env_hash = p["env_hash"];
  if (p.contains("env")) c.env = p["env"];
  for (const char* k : {"artifacts", "data", "warnings"})
    if (p.contains(k) && p[k].is_array())
      (k[0] == 'a' ? c.artifacts : k[0] == 'd' ? c.data : c.warnings) = p[k];
  return c;
}

Value JoinProvenance(const ProvenanceColumns& c) {
  if (c.code.is_null() && c.env_hash.empty() && c.artifacts.empty() && c.data.empty())
    return nullptr;
  return Value{{"code", c.code},
               {"env_hash", c.env_hash},
               {"artifacts", c.artifacts},
               {"data", c.data},
               {"warnings", c.warnings}};
}

}  // namespace sweep
