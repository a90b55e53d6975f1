// Placeholder CLI while the foundation lands.
#include "orchestrator/cli.h"

namespace sweep {
int RunCli(int, char**) { return 2; }
}  // namespace sweep
