// `sweep agent HOST:PORT`: flags to AgentOptions, the token, then RunAgent.
#pragma once

#include <optional>
#include <ostream>
#include <string>

namespace sweep {

struct AgentFlags {
  std::string address;     // HOST:PORT or [IPv6]:PORT
  std::string token_file;  // --token-file, else $SWEEP_AGENT_TOKEN_FILE, else ./.sweep/agent.token
  std::string gpus;        // --gpus LIST|all|auto; "" = none
  std::optional<int> workers;
  std::string name;                     // --name; "" = <hostname>:<pid>
  std::string dir;                      // --dir: work root; "" = the current directory
  std::optional<double> give_up_after;  // --give-up-after SECONDS
  std::string tls_ca;                   // --tls-ca FILE: TLS, the controller's cert checked by it
  bool tls = false;                     // --tls: TLS, checked against the system's CAs
  std::string tls_name;                 // --tls-name: the name the certificate must carry
};

// Validates the flags (address, token file and its mode, GPUs) and runs the agent.
// Returns the process exit code: 2 with a message on err for a usage error, else
// RunAgent's code. Progress lines go to err; the token is never printed.
int RunAgentCommand(const AgentFlags& flags, std::ostream& err);

}  // namespace sweep
