#include "gateway/http/server.h"

#include <cxxabi.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string_view>
#include <thread>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "gateway/core/log.h"
#include "gateway/http/connection_stream.h"

namespace gw::http {

#ifndef CPPHTTPLIB_OPENSSL_SUPPORT
#error "httplib.h must be compiled with CPPHTTPLIB_OPENSSL_SUPPORT, as Debian's libcpp-httplib is"
#endif

// What HttpServer needs of a listener beyond httplib's Server interface.
class HttpServer::Listener {
 public:
  virtual ~Listener() = default;
  virtual httplib::Server& http() = 0;
  // Closes the listening socket whether or not listen has started yet.
  virtual void close_listener() = 0;
  virtual size_t open_connections() const = 0;
  virtual void widen_backlog() = 0;
  // False when a TLS listener could not load its certificate or key.
  virtual bool valid() const = 0;
};

namespace {

// httplib::Server (or httplib::SSLServer, whose SSL context the TLS listener uses)
// whose listening socket can be closed whether or not listen has started yet:
// httplib's own stop() does nothing before its accept loop runs, so a stop() racing
// with run() would leave run() serving for ever.
//
// httplib's accept loop stays; every accepted socket is handed to a
// ConnectionReactor at once (process_and_close_socket, which replaces SSLServer's
// blocking handshake too), which reads and bounds each request before a worker has
// httplib parse and answer it (serve_one).
template <class Base>
class ReactorListener : public Base, public HttpServer::Listener {
 public:
  template <class... BaseArgs>
  ReactorListener(const HttpOptions& options, ConnectionReactor::Answered answered, BaseArgs&&... base_args)
      : Base(std::forward<BaseArgs>(base_args)...),
        reactor_(
            reactor_options(options, tls_context()),
            [this](int sock, SSL* ssl, std::string& buffer, bool last) {
              return serve_one(sock, ssl, buffer, last);
            },
            std::move(answered)) {
    this->new_task_queue = [this] { return new Handoff(reactor_); };
  }

  httplib::Server& http() override { return *this; }

  void close_listener() override {
    const socket_t sock = this->svr_sock_.exchange(INVALID_SOCKET);
    if (sock != INVALID_SOCKET) {
      ::shutdown(sock, SHUT_RDWR);  // wakes a blocked accept()
      ::close(sock);
    }
  }

  size_t open_connections() const override { return reactor_.open_connections(); }

  // httplib listens with a backlog of 5 (a compiled-in macro): a burst of new
  // connections while the accept thread waits for a core would have its SYNs
  // dropped and retried a second later. listen() again only widens the queue.
  void widen_backlog() override {
    const socket_t sock = this->svr_sock_.load();
    if (sock != INVALID_SOCKET) ::listen(sock, SOMAXCONN);
  }

  bool valid() const override { return this->is_valid(); }

 private:
  // httplib's task queue, used only to pass each accepted socket to the reactor on
  // the accept thread; the reactor's own pools do the work.
  class Handoff : public httplib::TaskQueue {
   public:
    explicit Handoff(ConnectionReactor& reactor) : reactor_(reactor) { reactor_.start(); }
    void enqueue(std::function<void()> fn) override { fn(); }
    void shutdown() override { reactor_.shutdown(); }

   private:
    ConnectionReactor& reactor_;
  };

  // SSLServer's context, made from the certificate and key files; null for plain HTTP.
  SSL_CTX* tls_context() {
    if constexpr (std::is_same_v<Base, httplib::SSLServer>) {
      SSL_CTX* ctx = this->ssl_context();
      if (ctx) {
        SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
        SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
        // Writes on a non-blocking socket may be partial, and are retried from
        // wherever the caller's buffer is then (tls_io.h).
        SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
      }
      return ctx;
    } else {
      return nullptr;
    }
  }

  static ReactorOptions reactor_options(const HttpOptions& o, SSL_CTX* tls) {
    ReactorOptions r;
    r.head_limits = o.head_limits;
    r.read_timeout = std::chrono::milliseconds(o.read_timeout_ms);
    r.keep_alive_timeout = std::chrono::seconds(o.keep_alive_timeout_s);
    r.keep_alive_max = static_cast<size_t>(std::max(1, o.keep_alive_max));
    r.max_body_bytes = o.max_body_bytes;
    r.max_connections = o.max_connections;
    r.max_connections_per_address = o.max_connections_per_address;
    r.pools.push_back(WorkerPoolSpec{"default", std::max(1, o.threads), o.max_queue, {}});
    for (const WorkerPoolSpec& p : o.pools) r.pools.push_back(p);
    r.tls = tls;
    return r;
  }

  bool process_and_close_socket(socket_t sock) override {
    reactor_.adopt(sock);
    return true;
  }

  // One request, already read whole into `buffer` by the reactor.
  bool serve_one(int sock, SSL* ssl, std::string& buffer, bool last) {
    const auto read_timeout =
        std::chrono::seconds(this->read_timeout_sec_) + std::chrono::microseconds(this->read_timeout_usec_);
    const auto write_timeout =
        std::chrono::seconds(this->write_timeout_sec_) + std::chrono::microseconds(this->write_timeout_usec_);
    ConnectionStream strm(sock, ssl, read_timeout, write_timeout);
    strm.buffer() = std::move(buffer);
    bool connection_closed = false;
    const bool ret =
        this->process_request(strm, last || this->svr_sock_ == INVALID_SOCKET, connection_closed, nullptr);
    strm.compact();
    buffer = std::move(strm.buffer());
    return ret && !connection_closed;
  }

  ConnectionReactor reactor_;
};

}  // namespace

namespace {

const std::string kUnmatched = "unmatched";

// What the current request on this pool thread is: httplib runs a request from
// pre-routing to logging on one thread, and its hooks see a const Request, so the
// start time and the matched route travel here.
struct RequestState {
  std::chrono::steady_clock::time_point start;
  const std::string* route = nullptr;
  metrics::Histogram* duration = nullptr;
  bool active = false;
};
thread_local RequestState t_request;

void mark_route(const std::string& label, metrics::Histogram* duration) {
  t_request.route = &label;
  t_request.duration = duration;
}

std::string method_label(const std::string& m) {
  static constexpr std::array<std::string_view, 9> kKnown = {"GET",     "HEAD",  "POST",  "PUT",    "DELETE",
                                                             "OPTIONS", "PATCH", "TRACE", "CONNECT"};
  for (auto k : kKnown) {
    if (m == k) return m;
  }
  return "other";
}

// The error code and message of a status httplib produced on its own.
std::pair<std::string, std::string> describe_status(int status) {
  switch (status) {
    case 400:
      return {"bad_request", "the request could not be parsed"};
    case 404:
      return {"not_found", "no route matches this path"};
    case 405:
      return {"method_not_allowed", "this method is not allowed here"};
    case 411:
      return {"length_required", "a request body needs a Content-Length"};
    case 413:
      return {"payload_too_large", "the request body is too large"};
    case 414:
      return {"uri_too_long", "the request line is too long"};
    case 415:
      return {"unsupported_media_type", "this content type is not accepted"};
    case 416:
      return {"range_not_satisfiable", "the requested range cannot be served"};
    case 503:
      return {"unavailable", "the service is unavailable"};
    default:
      break;
  }
  if (status >= 500) return {"internal", "internal error"};
  return {"http_" + std::to_string(status), "the request failed"};
}

std::string exception_type(const std::exception_ptr& ep) {
  try {
    std::rethrow_exception(ep);
  } catch (const std::exception& e) {
    int rc = 0;
    char* name = abi::__cxa_demangle(typeid(e).name(), nullptr, nullptr, &rc);
    std::string out = rc == 0 && name ? name : typeid(e).name();
    std::free(name);
    return out;
  } catch (...) {
    return "non-std exception";
  }
}

// A 500 after a handler threw: what it had put in the response is dropped.
void reset_to_internal_error(httplib::Response& res) {
  res.headers.clear();
  res.body.clear();
  res.content_length_ = 0;
  res.content_provider_ = nullptr;
  res.is_chunked_content_provider_ = false;
  send_json_error(res, 500, "internal", "internal error");
}

void refuse_and_close(httplib::Response& res, int status, std::string code, std::string message) {
  send_json_error(res, status, std::move(code), std::move(message));
  // The rest of the body is still on the wire: ask the client to close.
  res.set_header("Connection", "close");
}

}  // namespace

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

void send_json_error(httplib::Response& res, int status, std::string code, std::string message) {
  send_json(res, status, {{"error", std::move(code)}, {"message", std::move(message)}});
}

HttpServer::HttpServer(metrics::Registry& registry, HttpOptions options)
    : options_(options),
      server_(std::make_unique<ReactorListener<httplib::Server>>(options, answered_by_reactor())),
      requests_(registry.counter("gateway_http_requests_total",
                                 "HTTP requests served, by route, method and status.",
                                 {"route", "method", "status"})),
      durations_(registry.histogram(
          "gateway_http_request_duration_seconds",
          "Time from reading a request's headers to its response being ready to write.", {"route"})),
      unmatched_duration_(durations_.with({kUnmatched})) {
  install_hooks(*server_, false);
}

HttpServer::~HttpServer() {
  stop();
}

ConnectionReactor::Answered HttpServer::answered_by_reactor() {
  return [this](const std::string& method, int status) {
    requests_.with({kUnmatched, method_label(method), std::to_string(status)}).inc();
  };
}

void HttpServer::install_hooks(Listener& listener, bool tls) {
  httplib::Server& svr = listener.http();
  const bool reuse_port = options_.reuse_port;
  svr.set_socket_options([reuse_port](socket_t sock) {
    const int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (reuse_port) ::setsockopt(sock, SOL_SOCKET, SO_REUSEPORT, &yes, sizeof(yes));
    // Accepted sockets inherit this from the listening socket on Linux.
    ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  });
  svr.set_read_timeout(options_.read_timeout_ms / 1000, (options_.read_timeout_ms % 1000) * 1000);
  svr.set_write_timeout(options_.write_timeout_ms / 1000, (options_.write_timeout_ms % 1000) * 1000);
  svr.set_keep_alive_timeout(options_.keep_alive_timeout_s);
  svr.set_keep_alive_max_count(static_cast<size_t>(std::max(1, options_.keep_alive_max)));
  // Applies to Content-Length bodies httplib reads itself (any method); POST bodies
  // are read in handle_post, which also counts chunked ones.
  svr.set_payload_max_length(options_.max_body_bytes);

  svr.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    t_request = RequestState{std::chrono::steady_clock::now(), &kUnmatched, nullptr, true};
    // httplib reads chunked bodies of other methods without any limit.
    if (req.method != "POST" && req.has_header("Transfer-Encoding")) {
      refuse_and_close(res, 411, "length_required", "a request body needs a Content-Length");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // A client that asks before sending a body (curl does past 1 KiB) learns at once
  // that it is too large, instead of sending it for nothing.
  const size_t max_body = options_.max_body_bytes;
  svr.set_expect_100_continue_handler([max_body](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value<uint64_t>("Content-Length") > max_body) {
      // Left to the error handler, which fills in the JSON body: httplib sets no
      // Content-Length on this path for a body set here.
      res.status = 413;
      res.set_header("Connection", "close");
      return 413;
    }
    return 100;
  });
  svr.Get(".*", [this](const httplib::Request& req, httplib::Response& res) { handle_get(req, res); });
  svr.Post(".*", [this](const httplib::Request& req, httplib::Response& res,
                        const httplib::ContentReader& reader) { handle_post(req, res, reader); });

  // Statuses httplib sets on its own (404, 413, 400, ...) come with an empty body.
  svr.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        auto [code, message] = describe_status(res.status);
        send_json_error(res, res.status, code, message);
        return httplib::Server::HandlerResponse::Handled;
      }));
  // Backstop for exceptions thrown inside httplib's routing; handlers' own are
  // caught in invoke().
  svr.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    log::error("http_exception", {{"method", method_label(req.method)}, {"exception", exception_type(ep)}});
    reset_to_internal_error(res);
  });
  // Runs for every response httplib writes (its own errors included), just before
  // writing it. Metrics are recorded here rather than in the logger, which runs
  // after the write: a client that has its response can rely on being counted.
  svr.set_post_routing_handler([this, tls](const httplib::Request& req, httplib::Response& res) {
    // Browsers that saw it once come back over HTTPS only, for a year: never sent
    // on plain HTTP, where anyone on the path could forge or strip it.
    if (tls) res.set_header("Strict-Transport-Security", "max-age=31536000");
    if (!res.has_header("Cache-Control")) res.set_header("Cache-Control", "no-store");
    if (!res.has_header("X-Content-Type-Options")) res.set_header("X-Content-Type-Options", "nosniff");
    if (stopping_.load() && !res.has_header("Connection")) res.set_header("Connection", "close");
    record(req, res);
  });
}

void HttpServer::add_route(std::vector<Route>& routes, const std::string& method, const std::string& pattern,
                           const std::string& route_label, Handler handler) {
  try {
    Route r{std::regex(pattern, std::regex::ECMAScript), route_label, std::move(handler), nullptr};
    r.duration = &durations_.with({route_label});
    routes.push_back(std::move(r));
  } catch (const std::regex_error&) {
    log::error("http_route_rejected",
               {{"method", method}, {"route", route_label}, {"problem", "invalid pattern"}});
  }
}

void HttpServer::get(const std::string& pattern, const std::string& route_label, Handler handler) {
  add_route(get_routes_, "GET", pattern, route_label, std::move(handler));
}

void HttpServer::post(const std::string& pattern, const std::string& route_label, Handler handler) {
  add_route(post_routes_, "POST", pattern, route_label, std::move(handler));
}

const HttpServer::Route* HttpServer::match(const std::vector<Route>& routes, const std::string& path) const {
  for (const Route& r : routes) {
    if (std::regex_match(path, r.pattern)) return &r;
  }
  return nullptr;
}

void HttpServer::handle_get(const httplib::Request& req, httplib::Response& res) {
  const Route* route = match(get_routes_, req.path);
  if (!route) {
    send_json_error(res, 404, "not_found", "no route matches this path");
    return;
  }
  httplib::Request r = req;
  invoke(*route, r, res);
}

void HttpServer::handle_post(const httplib::Request& req, httplib::Response& res,
                             const httplib::ContentReader& reader) {
  const Route* route = match(post_routes_, req.path);
  if (route) mark_route(route->label, route->duration);
  if (req.is_multipart_form_data()) {
    refuse_and_close(res, 415, "unsupported_media_type", "multipart bodies are not accepted");
    return;
  }
  std::string body;
  bool too_large = false;
  const size_t limit = options_.max_body_bytes;
  const bool read_ok = reader([&](const char* data, size_t n) {
    if (n > limit - body.size()) {
      too_large = true;
      return false;
    }
    body.append(data, n);
    return true;
  });
  // httplib sets 413 itself when the Content-Length is over the limit.
  if (too_large || res.status == 413) {
    refuse_and_close(res, 413, "payload_too_large",
                     "the request body is larger than " + std::to_string(limit) + " bytes");
    return;
  }
  if (!read_ok) {
    refuse_and_close(res, 400, "bad_request", "the request body could not be read");
    return;
  }
  if (!route) {
    send_json_error(res, 404, "not_found", "no route matches this path");
    return;
  }
  // The body is the handler's to parse (the webhooks check every byte of theirs):
  // req.params holds the query string only.
  httplib::Request r = req;
  r.body = std::move(body);
  invoke(*route, r, res);
}

void HttpServer::invoke(const Route& route, httplib::Request& req, httplib::Response& res) {
  mark_route(route.label, route.duration);
  // Captures must point into this copy's path, not the original's.
  std::regex_match(req.path, req.matches, route.pattern);
  try {
    route.handler(req, res);
    return;
  } catch (...) {
    log::error("http_handler_exception", {{"route", route.label},
                                          {"method", method_label(req.method)},
                                          {"exception", exception_type(std::current_exception())}});
  }
  reset_to_internal_error(res);
}

void HttpServer::record(const httplib::Request& req, const httplib::Response& res) {
  RequestState& st = t_request;
  const std::string& route = st.active && st.route ? *st.route : kUnmatched;
  requests_.with({route, method_label(req.method), std::to_string(res.status)}).inc();
  if (st.active) {
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - st.start;
    (st.duration ? *st.duration : unmatched_duration_).observe(elapsed.count());
  }
  st = RequestState{};
}

namespace {

Result<int> bind_listener(HttpServer::Listener& listener, const std::string& host, int port) {
  if (port < 0 || port > 65535) return Error::invalid("listen port out of range: " + std::to_string(port));
  if (host.empty()) return Error::invalid("listen host is empty");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const int gai = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (gai != 0) return Error::invalid("cannot resolve listen address '" + host + "': " + ::gai_strerror(gai));
  ::freeaddrinfo(found);

  errno = 0;
  int bound = -1;
  if (port == 0) {
    bound = listener.http().bind_to_any_port(host);
  } else if (listener.http().bind_to_port(host, port)) {
    bound = port;
  }
  if (bound < 0) {
    const int err = errno;
    return Error::io("cannot listen on " + host + ":" + std::to_string(port) +
                     (err ? std::string(": ") + std::strerror(err) : std::string()));
  }
  listener.widen_backlog();
  return bound;
}

}  // namespace

Result<int> HttpServer::bind(const std::string& host, int port) {
  if (bound_) return Error::invalid("the server is already bound");
  auto bound = bind_listener(*server_, host, port);
  if (bound) bound_ = true;
  return bound;
}

Result<int> HttpServer::bind_tls(const std::string& host, int port, const TlsFiles& files) {
  if (tls_) return Error::invalid("the server's TLS listener is already bound");
  auto listener = std::make_unique<ReactorListener<httplib::SSLServer>>(
      options_, answered_by_reactor(), files.certificate.c_str(), files.private_key.c_str());
  if (!listener->valid() || SSL_CTX_check_private_key(listener->ssl_context()) != 1) {
    ERR_clear_error();
    return Error::invalid("cannot use TLS certificate " + files.certificate + " with private key " +
                          files.private_key + ": unreadable, not PEM, or not a matching pair");
  }
  install_hooks(*listener, true);
  auto bound = bind_listener(*listener, host, port);
  if (bound) tls_ = std::move(listener);
  return bound;
}

void HttpServer::run() {
  if (!bound_ && !tls_) {
    log::error("http_run_without_bind");
    return;
  }
  if (stopping_.load()) return;
  // The TLS listener accepts on a thread of its own; each listener has its own reactor and pools.
  std::thread tls_thread;
  if (tls_ && bound_) {
    tls_thread = std::thread([this] {
      if (!tls_->http().listen_after_bind()) log::error("http_accept_failed", {{"listener", "tls"}});
    });
  }
  Listener& here = bound_ ? *server_ : *tls_;
  if (!here.http().listen_after_bind()) log::error("http_accept_failed");
  if (tls_thread.joinable()) tls_thread.join();
}

void HttpServer::stop() {
  stopping_.store(true);
  server_->close_listener();
  if (tls_) tls_->close_listener();
}

bool HttpServer::is_running() const {
  return server_->http().is_running() || (tls_ && tls_->http().is_running());
}

size_t HttpServer::open_connections() const {
  return server_->open_connections() + (tls_ ? tls_->open_connections() : 0);
}

}  // namespace gw::http
