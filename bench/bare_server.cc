// bench_bare_server: the baseline of bench/webhook_bench.sh, and the fake Twilio API
// the gateway's sender talks to during the run.
//
// A bare httplib::Server set up exactly as gw::http::HttpServer sets up its own
// (TCP_NODELAY and SO_REUSEADDR through set_socket_options, a thread pool of
// http.threads, the same read/write/keep-alive timeouts, keep-alive count and payload
// limit, all from the gateway's own config defaults), with none of the gateway's work
// behind it:
//   POST /twilio/bench/inbound                         200 empty TwiML
//   POST /2010-04-01/Accounts/<sid>/Messages.json      201 {"sid": "SM<32 hex>", "status": "queued"}
//   GET  /stats                                        {"inbound": n, "messages_api": n}
//
// Usage: bench_bare_server [--port N]     (0, the default, takes a free port)
//        bench_bare_server --free-port    prints a port that was free a moment ago, exits
// Prints "port N" on standard output once listening; SIGTERM/SIGINT stop it (exit 0).
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "gateway/cli/shutdown_signals.h"
#include "gateway/config/config.h"
#include "gateway/core/ids.h"

namespace {

// httplib's stop() does nothing before its accept loop runs; closing the listening
// socket as well makes a signal that races with the start still stop the server.
class BareServer : public httplib::Server {
 public:
  void stop_now() {
    stop();
    const socket_t sock = svr_sock_.exchange(INVALID_SOCKET);
    if (sock != INVALID_SOCKET) {
      ::shutdown(sock, SHUT_RDWR);
      ::close(sock);
    }
  }
};

constexpr const char* kEmptyTwiml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

void configure_like_the_gateway(httplib::Server& svr) {
  const gw::HttpConfig http;  // what `gateway serve` uses when the config has no "http" key
  svr.set_socket_options([](socket_t sock) {
    const int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  });
  const size_t threads = static_cast<size_t>(std::max(1, http.threads));
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  svr.set_read_timeout(http.read_timeout_ms / 1000, (http.read_timeout_ms % 1000) * 1000);
  svr.set_write_timeout(http.write_timeout_ms / 1000, (http.write_timeout_ms % 1000) * 1000);
  svr.set_keep_alive_timeout(http.keep_alive_timeout_s);
  svr.set_keep_alive_max_count(static_cast<size_t>(std::max(1, http.keep_alive_max)));
  svr.set_payload_max_length(static_cast<size_t>(http.max_body_bytes));
}

int usage() {
  std::cerr << "usage: bench_bare_server [--port N] | --free-port\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  bool free_port_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--port" && i + 1 < argc) {
      port = std::atoi(argv[++i]);
    } else if (a == "--free-port") {
      free_port_only = true;
    } else {
      return usage();
    }
  }
  if (free_port_only) {
    httplib::Server probe;
    const int p = probe.bind_to_any_port("127.0.0.1");
    if (p <= 0) return 1;
    std::cout << p << "\n";
    return 0;
  }

  BareServer svr;
  // Before any other thread starts, so that only its thread receives the signals.
  gw::cli::ShutdownSignals signals([&svr](int) { svr.stop_now(); });
  signals.start();
  configure_like_the_gateway(svr);

  std::atomic<long> inbound{0};
  std::atomic<long> messages_api{0};
  svr.Post("/twilio/bench/inbound", [&](const httplib::Request&, httplib::Response& res) {
    inbound.fetch_add(1, std::memory_order_relaxed);
    res.set_content(kEmptyTwiml, "text/xml; charset=utf-8");
  });
  svr.Post(R"(/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages\.json)", [&](const httplib::Request&,
                                                                             httplib::Response& res) {
    messages_api.fetch_add(1, std::memory_order_relaxed);
    res.status = 201;
    res.set_content("{\"sid\": \"SM" + gw::random_id(16) + "\", \"status\": \"queued\"}", "application/json");
  });
  svr.Get("/stats", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"inbound\": " + std::to_string(inbound.load()) +
                        ", \"messages_api\": " + std::to_string(messages_api.load()) + "}",
                    "application/json");
  });

  const int bound =
      port == 0 ? svr.bind_to_any_port("127.0.0.1") : (svr.bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound <= 0) {
    std::cerr << "bench_bare_server: cannot listen on 127.0.0.1:" << port << "\n";
    return 1;
  }
  std::cout << "port " << bound << std::endl;
  svr.listen_after_bind();
  std::cerr << "bench_bare_server: inbound " << inbound.load() << ", messages_api " << messages_api.load()
            << "\n";
  return 0;
}
