#include "tests/support/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace gw::testing {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string temp_path(const std::string& tag) {
  static std::atomic<int> counter{0};
  return (std::filesystem::temp_directory_path() /
          ("gw-proc-" + std::to_string(getpid()) + "-" + std::to_string(counter++) + "-" + tag))
      .string();
}

pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
            const std::string& in_path, const std::string& out_path, const std::string& err_path,
            const std::string& working_dir) {
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    // A test that dies (a failed assertion, a crash, ctest's timeout) takes its
    // servers with it: a leftover prism or gateway would hold ports and CPU.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int in = open(in_path.empty() ? "/dev/null" : in_path.c_str(), O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    if (!working_dir.empty() && chdir(working_dir.c_str()) != 0) _exit(127);
    for (const auto& kv : extra_env) putenv(const_cast<char*>(kv.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

// Polls waitpid until the child exits or the timeout passes.
bool wait_for(pid_t pid, std::chrono::milliseconds timeout, int* status) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

int exit_code_of(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

RunResult run_process(const std::vector<std::string>& argv, const std::string& input,
                      std::chrono::milliseconds timeout, const std::vector<std::string>& extra_env) {
  const std::string in_path = temp_path("in"), out_path = temp_path("out"), err_path = temp_path("err");
  std::ofstream(in_path, std::ios::binary) << input;
  pid_t pid = spawn(argv, extra_env, in_path, out_path, err_path, "");
  RunResult r;
  int status = 0;
  if (wait_for(pid, timeout, &status)) {
    r.exit_code = exit_code_of(status);
  } else {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  std::filesystem::remove(in_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return r;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::vector<std::string>& extra_env,
                                     const std::string& working_dir)
    : out_path_(temp_path("out")), err_path_(temp_path("err")) {
  pid_ = spawn(argv, extra_env, "", out_path_, err_path_, working_dir);
}

BackgroundProcess::~BackgroundProcess() {
  if (!exited_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::filesystem::remove(out_path_);
  std::filesystem::remove(err_path_);
}

void BackgroundProcess::signal(int sig) {
  if (!exited_) kill(pid_, sig);
}

int BackgroundProcess::wait(std::chrono::milliseconds timeout) {
  if (exited_) return exit_code_;
  int status = 0;
  if (!wait_for(pid_, timeout, &status)) return -1;
  exited_ = true;
  exit_code_ = exit_code_of(status);
  return exit_code_;
}

std::string BackgroundProcess::err() const {
  return read_file(err_path_);
}
std::string BackgroundProcess::out() const {
  return read_file(out_path_);
}

std::string BackgroundProcess::wait_for_line(const std::string& needle, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    // Whether it had exited is taken before reading, so a line written just before the exit is found.
    const bool ended = exited_;
    for (const std::string& text : {out(), err()}) {
      const size_t at = text.find(needle);
      if (at == std::string::npos) continue;
      const size_t begin = text.rfind('\n', at);
      const size_t from = begin == std::string::npos ? 0 : begin + 1;
      const size_t end = text.find('\n', at);
      if (end == std::string::npos && !ended) break;  // the line is still being written
      return text.substr(from, end == std::string::npos ? std::string::npos : end - from);
    }
    if (ended || std::chrono::steady_clock::now() >= deadline) return "";
    wait(std::chrono::milliseconds(20));  // returns at once when the process exits
  }
}

}  // namespace gw::testing
