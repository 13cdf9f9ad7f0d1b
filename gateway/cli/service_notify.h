// Tells a service manager how `gateway serve` is doing, through systemd's
// notification protocol (sd_notify(3), a datagram to $NOTIFY_SOCKET): the unit
// is Type=notify (config/helpline-gateway.service), so that systemd counts the
// gateway as started only once it accepts connections, and sees its shutdown
// begin. Without NOTIFY_SOCKET (not started by systemd) every call does nothing.
#pragma once

#include <atomic>
#include <string>

namespace gw::cli {

class ServiceNotifier {
 public:
  // READY=1 with STATUS=`status`: the listener accepts connections. Once; a
  // later call does nothing.
  void ready(const std::string& status);
  // STOPPING=1: shutdown has begun. Once; safe from any thread (the signal
  // thread calls it while the main thread serves).
  void stopping();

 private:
  std::atomic<bool> ready_sent_{false};
  std::atomic<bool> stopping_sent_{false};
};

}  // namespace gw::cli
