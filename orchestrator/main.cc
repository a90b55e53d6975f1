// The sweep executable: hands argv to the CLI.
#include "orchestrator/cli.h"

int main(int argc, char** argv) { return sweep::RunCli(argc, argv); }
