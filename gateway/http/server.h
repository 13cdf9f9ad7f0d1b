// HttpServer: the gateway's HTTP listener, a thin policy layer over httplib::Server.
//
// What it adds to httplib, and why:
// - TCP_NODELAY. Debian's compiled cpp-httplib has Nagle's algorithm on, which caps a
//   keep-alive connection at ~40 requests/s. The socket options callback replaces
//   httplib's defaults, so SO_REUSEADDR (restart while old connections sit in
//   TIME_WAIT) is set there too. SO_REUSEPORT is off unless asked for: with it a
//   second gateway started on the same port would silently share the traffic.
// - Connections cost no thread while they wait (see connection_reactor.h): one
//   thread holds every connection that is idle or still sending its request, and a
//   request goes to a worker pool only once it has arrived whole. Heads and bodies
//   have deadlines (read_timeout_ms each), heads are bounded (414 for a request line
//   over head_limits.max_request_line_bytes, 431 for more than max_headers header
//   lines or max_header_bytes of them), and connections are bounded in total and per
//   client address (503). Requests are served by pools chosen by path prefix
//   (`pools`): webhooks, event streams and the rest never take each other's threads.
// - A body limit that httplib does not enforce by itself: chunked bodies bypass its
//   payload limit, and it refuses url-encoded forms over 8 KiB (a long Arabic SMS
//   from Twilio is bigger). POST bodies are read here, up to max_body_bytes; a
//   chunked body on any other method is refused with 411; a body announced with
//   "Expect: 100-continue" and too large a Content-Length is refused before it is sent.
// - JSON error bodies everywhere ({"error": code, "message": text}), Cache-Control:
//   no-store and X-Content-Type-Options: nosniff on every response.
// - Metrics: gateway_http_requests_total{route,method,status} and
//   gateway_http_request_duration_seconds{route}. `route` is the label given at
//   registration, or "unmatched": a raw path never becomes a label (it may hold ids).
//   Recorded just before the response is written, so a client that got its answer
//   has been counted.
// - Handler exceptions become a 500 and a log line (route, method, exception type;
//   never the request body or the exception text, which may quote it).
//
// - HTTPS: bind_tls() opens a second listener, httplib::SSLServer's TLS context over
//   the same routes, hooks and options. It has a reactor and worker pools of its own
//   (same sizes and limits as the plain one), so a slow or flooding client on one
//   port never takes the other's threads or connection slots; what the two share is
//   the process (CPU, memory, the open files limit), the handlers and what they use,
//   and the metrics (requests are counted together). Its responses carry
//   Strict-Transport-Security; the plain listener's never do.
//
// Lifecycle: construct, register routes, bind() and/or bind_tls(), then run() on a
// thread of its own; stop() from any thread. One bind/run per object.
#pragma once

#include <httplib.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "gateway/core/metrics.h"
#include "gateway/core/result.h"
#include "gateway/http/connection_reactor.h"
#include "gateway/http/request_head.h"

namespace gw::http {

struct HttpOptions {
  int threads = 16;                          // the default pool: requests served at once
  int read_timeout_ms = 5000;                // a whole request head, then a whole body (408 after)
  int write_timeout_ms = 5000;               // per write on a connection
  int keep_alive_timeout_s = 5;              // an idle keep-alive connection is closed after this
  int keep_alive_max = 100;                  // requests per connection before it is closed
  size_t max_body_bytes = 1024 * 1024;       // larger request bodies get 413
  bool reuse_port = false;                   // SO_REUSEPORT on the listening socket
  RequestHeadLimits head_limits;             // request line (414), header count and size (431)
  size_t max_connections = 4096;             // open at once; more get 503
  size_t max_connections_per_address = 512;  // from one client address; more get 503
  size_t max_queue = 1024;                   // requests waiting for the default pool; more get 503
  // Pools of their own for requests whose path starts with one of a pool's prefixes;
  // everything else goes to the default pool of `threads`.
  std::vector<WorkerPoolSpec> pools;
};

using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

// A TLS listener's certificate chain and private key, PEM files (the key unencrypted).
struct TlsFiles {
  std::string certificate;
  std::string private_key;
};

// Sets `status` and a JSON body (Content-Type: application/json). Invalid UTF-8 in
// strings is replaced, never thrown.
void send_json(httplib::Response& res, int status, const nlohmann::json& body);
// Sets `status` and {"error": code, "message": message}. `message` is shown to the
// client: no phone numbers, message text or internal details in it.
void send_json_error(httplib::Response& res, int status, std::string code, std::string message);

class HttpServer {
 public:
  // `registry` receives the HTTP metrics and must outlive the server.
  explicit HttpServer(metrics::Registry& registry, HttpOptions options = {});
  // Stops listening. REQUIRES: run() is not running (it has returned, or never ran).
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Registers a handler for GET (and HEAD) / POST requests whose whole path matches
  // the ECMAScript regex `pattern`; captures are in req.matches. Routes are tried in
  // registration order. `route_label` names the route in metrics (e.g.
  // "twilio_inbound"). POST handlers see the body in req.body, to parse
  // themselves, and the query string's fields in req.params. An invalid pattern is a bug: it is logged and
  // the route is not added.
  // REQUIRES: run() has not started.
  void get(const std::string& pattern, const std::string& route_label, Handler handler);
  void post(const std::string& pattern, const std::string& route_label, Handler handler);

  // Opens the listening socket on host:port (port 0 picks a free port) and returns
  // the bound port. Connections made after this queue until run() serves them.
  // Errors: kInvalidArgument for an unresolvable host or a port out of range, kIo
  // when the address cannot be bound (in use, not permitted), kInvalidArgument when
  // already bound.
  Result<int> bind(const std::string& host, int port);

  // Opens a TLS listener on host:port (port 0 picks a free port) with the certificate
  // chain and key in `files` (TLS 1.2 at least) and returns the bound port. Errors:
  // those of bind(), and kInvalidArgument when the files cannot be read or the key
  // does not match the certificate. REQUIRES: run() has not started.
  Result<int> bind_tls(const std::string& host, int port, const TlsFiles& files);

  // Serves until stop(), then waits for requests in flight to finish before
  // returning; connections that are idle or still sending a request are closed.
  // Serves both listeners when both are bound (the TLS one on a thread it starts).
  // Returns at once if not bound or if stop() came first.
  void run();

  // Stops accepting connections; run() returns once in-flight requests are done.
  // Responses written after stop() carry "Connection: close". Does not block;
  // safe from any thread and more than once.
  void stop();

  // True while run() is serving (from just after it starts until it returns).
  bool is_running() const;

  // Connections open now, on both listeners.
  size_t open_connections() const;

  // A listening socket with its reactor (defined in server.cc).
  class Listener;

 private:
  struct Route {
    std::regex pattern;
    std::string label;
    Handler handler;
    metrics::Histogram* duration = nullptr;
  };

  void add_route(std::vector<Route>& routes, const std::string& method, const std::string& pattern,
                 const std::string& route_label, Handler handler);
  void install_hooks(Listener& listener, bool tls);
  ConnectionReactor::Answered answered_by_reactor();
  const Route* match(const std::vector<Route>& routes, const std::string& path) const;
  void handle_get(const httplib::Request& req, httplib::Response& res);
  void handle_post(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& reader);
  void invoke(const Route& route, httplib::Request& req, httplib::Response& res);
  void record(const httplib::Request& req, const httplib::Response& res);

  HttpOptions options_;
  std::unique_ptr<Listener> server_;
  std::unique_ptr<Listener> tls_;  // set by bind_tls()
  std::vector<Route> get_routes_;
  std::vector<Route> post_routes_;
  metrics::CounterFamily& requests_;
  metrics::HistogramFamily& durations_;
  metrics::Histogram& unmatched_duration_;
  std::atomic<bool> stopping_{false};
  bool bound_ = false;
};

}  // namespace gw::http
