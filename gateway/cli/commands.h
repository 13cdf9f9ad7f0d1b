// The `gateway` command line: serve, check, content, simulate, segments, user, stats, version.
//
// Exit codes: 0 success, 1 failure, 2 usage error. Errors are one line on
// standard error that says what to fix.
#pragma once

namespace gw::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int run(int argc, char** argv);

}  // namespace gw::cli
