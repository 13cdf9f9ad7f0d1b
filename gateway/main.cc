// The gateway's entry point: parse the command line and run one command.
#include "gateway/cli/commands.h"

int main(int argc, char** argv) {
  return gw::cli::run(argc, argv);
}
