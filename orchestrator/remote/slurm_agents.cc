// SlurmAgents: see slurm_agents.h. One worker thread does all the talking to Slurm;
// the controller's loop only reads Problem() (a string under a mutex), so a slow
// squeue never delays a heartbeat or a metric commit.
#include "orchestrator/remote/slurm_agents.h"

#include <chrono>
#include <map>
#include <memory>

#include "orchestrator/store/trial_store.h"

namespace sweep {

namespace {

double WallNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

SlurmOptions BackendOptions(const SlurmAgentsConfig& c) {
  SlurmOptions o;
  o.sweep_id = c.sweep_id;
  o.pending_timeout_s = c.backend.pending_timeout_s;
  o.max_replacements = c.backend.max_replacements.value_or(c.backend.agents);
  return o;
}

}  // namespace

SlurmAgents::SlurmAgents(SlurmAgentsConfig config, std::ostream& log)
    : config_(std::move(config)), log_(log), backend_(BackendOptions(config_)) {}

SlurmAgents::~SlurmAgents() { (void)Stop(); }

void SlurmAgents::Start(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this, address] { Run(address); });
}

std::string SlurmAgents::Problem() const {
  std::lock_guard<std::mutex> lock(mu_);
  return problem_;
}

void SlurmAgents::Closing() { closing_ = true; }

void SlurmAgents::Say(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  log_ << "slurm: " << line << "\n" << std::flush;
}

void SlurmAgents::Record(const std::string& job_id, const std::string& state) {
  // One connection per thread (SqliteStore is not thread-safe); SQLite serializes
  // this writer with the controller's.
  std::unique_ptr<TrialStore>& store =
      std::this_thread::get_id() == thread_.get_id() ? worker_store_ : caller_store_;
  if (!store) {
    auto opened = OpenStore(config_.store_root, StoreOptions{});
    if (!opened.ok()) return;
    store = std::move(opened).value();
  }
  WriteBatch b;
  auto [it, fresh] = submitted_at_.emplace(job_id, WallNow());
  (void)fresh;
  b.slurm_jobs.push_back({config_.sweep_id, job_id, job_tasks_[job_id], it->second, state});
  (void)store->Commit(b);
}

void SlurmAgents::Run(std::string address) {
  const BackendSpec& be = config_.backend;
  int workers = std::max(1, be.workers_per_agent);
  std::vector<std::string> argv = {config_.sweep_binary,   "agent",  address, "--token-file",
                                   config_.token_file,     "--gpus", "auto",  "--workers",
                                   std::to_string(workers)};
  std::vector<std::string> flags = be.sbatch;
  for (const std::string& f : SlurmGpuFlags(workers, be.gpus_per_trial, be.sbatch))
    flags.push_back(f);
  const std::string log_dir = config_.store_root + "/slurm";
  if (!config_.adopt.empty()) {
    for (const SlurmJobRecord& j : config_.adopt) {
      std::vector<int> indices;
      for (int i = 0; i < j.tasks; ++i) indices.push_back(i);
      backend_.Adopt(j.job_id, indices, argv, flags, log_dir);
      job_tasks_[j.job_id] = j.tasks;
      submitted_at_[j.job_id] = j.submitted_at;
      Say("watching job " + j.job_id + " again (" + std::to_string(j.tasks) +
          " task(s), submitted by the previous controller)");
    }
  } else {
    auto id = backend_.Submit(be.agents, argv, flags, log_dir);
    if (!id.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      problem_ = "Slurm refused the agent jobs: " + id.status().message();
      return;
    }
    job_tasks_[*id] = be.agents;
    Record(*id, "PENDING");
    Say("submitted job array " + *id + " (" + std::to_string(be.agents) +
        " agent task(s)); their output goes to " + log_dir + "/");
  }
  std::map<std::string, std::string> said;  // task id -> last state reported
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait_for(lock, std::chrono::duration<double>(config_.poll_s),
                     [this] { return stopping_; });
      if (stopping_) return;
    }
    auto tasks = backend_.Poll();
    if (!tasks.ok()) continue;  // squeue hiccup: the tasks keep their last states
    std::map<std::string, std::string> job_state;
    bool alive = false;
    for (const SlurmTask& t : *tasks) {
      if (said[t.id()] != t.state) {
        said[t.id()] = t.state;
        std::string line = "task " + t.id() + " " + t.state;
        if (!t.node.empty()) line += " on " + t.node;
        if (t.phase == SlurmPhase::kPending && !t.reason.empty()) line += " (" + t.reason + ")";
        if (t.phase == SlurmPhase::kActive && t.pending_s > 0)
          line += " after pending " + std::to_string(static_cast<int>(t.pending_s)) + "s";
        Say(line);
      }
      std::string& js = job_state[t.job_id];
      if (t.phase == SlurmPhase::kActive)
        js = "RUNNING";
      else if (t.phase == SlurmPhase::kPending && js != "RUNNING")
        js = "PENDING";
      else if (js.empty())
        js = "ENDED";
      if (t.phase != SlurmPhase::kEnded) alive = true;
      if (t.phase == SlurmPhase::kEnded && t.replaced_by.empty() && !closing_) {
        auto fresh = backend_.Replace(t);
        if (fresh.ok()) {
          std::string job = fresh->substr(0, fresh->find('_'));
          job_tasks_[job] = 1;
          Record(job, "PENDING");
          Say("agent task " + t.id() + " ended early (" + t.state + "); submitted " + *fresh +
              " in its place");
          alive = true;
        } else if (said[t.id() + "/replace"].empty()) {
          said[t.id() + "/replace"] = "x";
          Say("agent task " + t.id() + " ended (" + t.state +
              ") and is not replaced: " + fresh.status().message());
        }
      }
    }
    for (const auto& [job, state] : job_state) Record(job, state);
    std::string problem;
    if (Status p = backend_.CheckPending(); !p.ok()) problem = p.message();
    if (!alive && !closing_)
      problem = "every Slurm agent job ended and none can be replaced (see " + config_.store_root +
                "/slurm/)";
    if (!problem.empty()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (problem_.empty()) problem_ = problem;
    }
  }
}

Status SlurmAgents::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return Status::Ok();
    stopped_ = stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::vector<std::string> jobs = backend_.JobIds();
  if (jobs.empty()) return Status::Ok();
  Status s = backend_.CancelAll(30);
  std::string list;
  for (const std::string& j : jobs) {
    list += (list.empty() ? "" : ", ") + j;
    Record(j, "CANCELLED");
  }
  if (s.ok()) Say("cancelled job(s) " + list + "; none is left in squeue");
  return s;
}

}  // namespace sweep
