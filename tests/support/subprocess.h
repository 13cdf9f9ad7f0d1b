// Subprocess: runs the built `gateway` binary (or any program) from a test,
// with standard output and error captured to files.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace gw::testing {

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal or timed out
  std::string out;
  std::string err;
};

// Runs `argv` to completion with `input` on stdin (killed after `timeout`).
RunResult run_process(const std::vector<std::string>& argv, const std::string& input = "",
                      std::chrono::milliseconds timeout = std::chrono::seconds(30),
                      const std::vector<std::string>& extra_env = {});

// A process left running while the test talks to it.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {},
                    const std::string& working_dir = "");
  ~BackgroundProcess();  // SIGKILLs it if still running
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig);
  // Waits for exit; returns the exit code, or -1 on timeout or death by signal.
  int wait(std::chrono::milliseconds timeout);
  std::string err() const;  // stderr so far
  std::string out() const;  // stdout so far
  // Waits up to `timeout` for a line of its stdout or stderr that contains
  // `needle`, and returns the first such line (without its newline); "" when the
  // process exits or the time runs out first.
  std::string wait_for_line(const std::string& needle, std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_code_ = -1;
  std::string out_path_, err_path_;
};

}  // namespace gw::testing
