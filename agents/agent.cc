// RunAgent and the small pieces the `sweep agent` command line needs.
//
// RunAgent drives an AgentSession (agents/agent_session.h) on its own io_context on
// the calling thread. The helpers here parse what a user types (HOST:PORT, --gpus)
// and gather the host facts the controller shows in `sweep status`; Slurm's job
// variables are passed on so that an agent started by a job array can be traced
// back to its job.
#include "agents/agent.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "agents/agent_session.h"
#include "agents/runtime/gpus.h"

namespace sweep {

int RunAgent(const AgentOptions& options, const AuthToken& token, std::ostream& log) {
  boost::asio::io_context io;
  int code = 0;
  {
    AgentSession session(io, options, token, log);
    code = session.Run();
  }
  return code;
}

Result<std::vector<std::string>> ResolveAgentGpus(const std::string& flag, std::string* note) {
  if (flag.empty()) return std::vector<std::string>{};
  if (flag == "auto") {
    const char* cvd = std::getenv("CUDA_VISIBLE_DEVICES");
    std::vector<std::string> ids;
    std::string s = cvd ? cvd : "";
    size_t start = 0;
    while (start < s.size()) {
      size_t comma = s.find(',', start);
      if (comma == std::string::npos) comma = s.size();
      if (comma > start) ids.push_back(s.substr(start, comma - start));
      start = comma + 1;
    }
    if (ids.empty()) *note = "--gpus auto: CUDA_VISIBLE_DEVICES is not set; running without GPUs";
    return ids;
  }
  std::string error;
  GpuSlots slots = ParseGpuSlots(flag, 1, &error);
  if (!error.empty()) return Status::Usage("--gpus " + flag + ": " + error);
  *note = slots.note;
  return slots.slots;
}

Value AgentHostFacts() {
  Value facts = Value::object();
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  facts["hostname"] = host;
  struct utsname u {};
  if (::uname(&u) == 0) facts["os"] = std::string(u.sysname) + " " + u.release + " " + u.machine;
  facts["cpus"] = std::thread::hardware_concurrency();
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && page > 0)
    facts["memory_bytes"] = static_cast<uint64_t>(pages) * static_cast<uint64_t>(page);
  const std::pair<const char*, const char*> slurm[] = {
      {"SLURM_JOB_ID", "slurm_job_id"},
      {"SLURM_ARRAY_JOB_ID", "slurm_array_job_id"},
      {"SLURM_ARRAY_TASK_ID", "slurm_array_task_id"},
      {"SLURMD_NODENAME", "slurm_node"}};
  for (const auto& [var, key] : slurm)
    if (const char* v = std::getenv(var); v && *v) facts[key] = v;
  return facts;
}

}  // namespace sweep
