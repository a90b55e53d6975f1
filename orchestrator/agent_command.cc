// The agent subcommand's glue: every check that needs no controller happens here,
// before anything connects, so a typo exits 2 at once with a message that says what
// to fix; the token file must be private (LoadTokenFile refuses group/other access).
#include "orchestrator/agent_command.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "agents/agent.h"
#include "agents/protocol/auth.h"
#include "agents/protocol/host_port.h"
#include "agents/protocol/tls.h"
#include "agents/runtime/python_files.h"
#include "agents/runtime/trial_runner.h"

namespace sweep {
namespace fs = std::filesystem;

int RunAgentCommand(const AgentFlags& flags, std::ostream& err) {
  auto usage = [&](const std::string& message) {
    err << "error: " << message << "\n";
    return 2;
  };
  // An address to dial: no default host, no port 0.
  Result<HostPort> addr = ParseHostPort(flags.address, "", false);
  if (!addr.ok()) return usage(addr.status().message());
  std::string token_file = flags.token_file;
  if (token_file.empty()) {
    const char* env = std::getenv("SWEEP_AGENT_TOKEN_FILE");
    if (env) token_file = env;
  }
  // In the project folder on a shared filesystem, the controller's own token file.
  if (token_file.empty() && ::access(".sweep/agent.token", R_OK) == 0)
    token_file = ".sweep/agent.token";
  if (token_file.empty())
    return usage(
        "sweep agent needs --token-file (or $SWEEP_AGENT_TOKEN_FILE, or ./.sweep/agent.token): "
        "the controller's .sweep/agent.token, copied with mode 0600");
  Result<AuthToken> token = LoadTokenFile(token_file);
  if (!token.ok()) return usage(token.status().message());
  if (flags.workers && *flags.workers < 1) return usage("--workers must be at least 1");
  if (flags.give_up_after && !(*flags.give_up_after > 0))
    return usage("--give-up-after must be a positive number of seconds");

  AgentOptions options;
  options.host = addr->host;
  options.port = addr->port;
  options.name = flags.name;
  std::string note;
  Result<std::vector<std::string>> gpus = ResolveAgentGpus(flags.gpus, &note);
  if (!gpus.ok()) return usage(gpus.status().message());
  if (!note.empty()) err << "agent: " << note << "\n";
  options.gpus = std::move(gpus).value();
  options.workers = flags.workers.value_or(0);
  options.work_root = flags.dir;
  // The embedded Python files (sweep_client, the wandb package) go into the work root,
  // so a machine without sweep's sources gets them too.
  std::error_code ec;
  std::string root = flags.dir.empty() ? fs::current_path(ec).string() : flags.dir;
  auto python = InstallPythonFiles(root + "/.sweep-python");
  if (!python.ok()) {
    err << "agent: " << python.status().message() << "; using "
        << (DefaultPythonClientDir().empty() ? std::string("none") : DefaultPythonClientDir())
        << "\n";
    options.python_client_dir = DefaultPythonClientDir();
  } else {
    options.python_client_dir = fs::absolute(python.value(), ec).string();
  }
  if (flags.give_up_after) options.give_up_after_s = *flags.give_up_after;
  if (flags.tls || !flags.tls_ca.empty()) {
    auto tls = MakeClientTls(flags.tls_ca, flags.tls_name);
    if (!tls.ok()) return usage(tls.status().message());
    options.connection.tls = tls.value();
  }
  return RunAgent(options, *token, err);
}

}  // namespace sweep
