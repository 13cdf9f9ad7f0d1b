#include "gateway/cli/service_notify.h"

#include <systemd/sd-daemon.h>

#include "gateway/core/log.h"

namespace gw::cli {
namespace {

void send(const std::string& state) {
  // < 0: the socket could not be written; 0: no service manager listens.
  const int r = sd_notify(0, state.c_str());
  if (r < 0) log::warn("service.notify_failed", {{"errno", -r}});
}

}  // namespace

void ServiceNotifier::ready(const std::string& status) {
  if (ready_sent_.exchange(true)) return;
  std::string state = "READY=1";
  // A STATUS= line ends at a newline: the status is one line.
  if (!status.empty() && status.find('\n') == std::string::npos) state += "\nSTATUS=" + status;
  send(state);
}

void ServiceNotifier::stopping() {
  if (stopping_sent_.exchange(true)) return;
  send("STOPPING=1\nSTATUS=Stopping");
}

}  // namespace gw::cli
