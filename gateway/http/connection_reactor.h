// ConnectionReactor: holds every accepted connection of an HttpServer while it
// costs no thread — idle between keep-alive requests, or still sending its request
// head or body — and hands a request to a worker pool only once the whole of it
// has arrived.
//
// Why: a worker thread that waits for a client's bytes can be taken by anyone. With
// httplib's own loop, 16 connections sending a header byte a second, 16 ordinary
// keep-alive clients, or 8 console event streams and 8 slow connections stopped
// every webhook. Here one thread watches all connections with epoll:
// - a request head must arrive whole within read_timeout of its first byte, and its
//   body within read_timeout after the head (else 408 and the connection closes);
//   heads over the limits get 414 or 431 without being read whole;
// - an idle keep-alive connection is closed after keep_alive_timeout;
// - connections are bounded in total and per client address (more get 503);
// - requests go to one of several worker pools by the start of their path, so that
//   provider webhooks, long-lived event streams and everything else never wait for
//   each other's threads. A pool's queue is bounded (more get 503).
// Responses are written by the worker thread (waiting at most the write timeout
// for each write; the socket stays non-blocking throughout). "Expect:
// 100-continue" is answered here, since the body is read here.
//
// With a TLS context (ReactorOptions::tls) every connection is TLS: the handshake
// is made here, without a thread, and must end within read_timeout of the
// connection's arrival; from then on the limits above apply to the decrypted bytes.
// A TLS connection over the connection limits is closed without an answer (there is
// no session yet to answer on).
//
// Threads: one reactor thread plus each pool's workers, started by start() and
// joined by shutdown().
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "gateway/http/request_head.h"

namespace gw::http {

struct WorkerPoolSpec {
  std::string name;                        // "webhooks", "streams", …
  int threads = 1;                         // requests of this pool served at once
  size_t max_queue = 256;                  // requests waiting for a thread; more get 503
  std::vector<std::string> path_prefixes;  // a request whose path starts with one of these
};

struct ReactorOptions {
  RequestHeadLimits head_limits;
  std::chrono::milliseconds read_timeout{5000};        // for a whole head, then for a whole body
  std::chrono::milliseconds keep_alive_timeout{5000};  // an idle connection is closed after this
  size_t keep_alive_max = 100;                         // requests per connection
  size_t max_body_bytes = 1024 * 1024;                 // a larger body is not buffered (the handler says 413)
  size_t max_connections = 4096;                       // open at once; more are refused with 503
  size_t max_connections_per_address = 512;            // from one client address; more get 503
  // pools[0] serves every request no other pool's prefixes match. REQUIRES: not empty.
  std::vector<WorkerPoolSpec> pools;
  // Every connection speaks TLS with this context when set. Not owned; it must
  // outlive the reactor.
  SSL_CTX* tls = nullptr;
};

class ConnectionReactor {
 public:
  // Serves the request at the start of `buffer` on `sock` (non-blocking: wait with
  // poll() before reading or writing, as ConnectionStream does), through `ssl` when
  // it is not null (see tls_io.h), and leaves in `buffer` what was read past it. `last`: answer with
  // "Connection: close". Returns true when the connection may stay open for another request.
  using Serve = std::function<bool(int sock, SSL* ssl, std::string& buffer, bool last)>;
  // Told of each request answered here, not by a worker: the method (empty when not
  // known yet) and the status (408, 414, 431, 503).
  using Answered = std::function<void(const std::string& method, int status)>;

  ConnectionReactor(ReactorOptions options, Serve serve, Answered answered);
  // Calls shutdown().
  ~ConnectionReactor();
  ConnectionReactor(const ConnectionReactor&) = delete;
  ConnectionReactor& operator=(const ConnectionReactor&) = delete;

  // Starts the reactor thread and the pools' workers. False if the epoll or eventfd
  // could not be created (then every adopted socket is closed at once).
  bool start();

  // Takes ownership of an accepted socket. Safe from any thread; never blocks.
  void adopt(int sock);

  // Closes every connection not being served now, lets requests being served finish
  // (their connections then close), and joins all threads. Safe more than once.
  void shutdown();

  // Open connections now (a snapshot; for metrics and tests).
  size_t open_connections() const;

 private:
  struct Conn;
  struct Job;
  struct Pool;

  void loop();
  void take_incoming();
  void take_returned();
  void on_readable(Conn& c);
  bool handshake(Conn& c);
  void progress(Conn& c);
  void dispatch(Conn& c);
  void answer(Conn& c, int status, const std::string& code, const std::string& message);
  void close_conn(int fd);
  void sweep();
  void wake();
  void work(Pool& pool);
  size_t pool_for(const std::string& buffer) const;

  ReactorOptions options_;
  Serve serve_;
  Answered answered_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  std::vector<std::unique_ptr<Pool>> pools_;

  // Handed to the reactor thread by adopt() and by the workers.
  std::mutex mu_;
  std::vector<int> incoming_;
  std::vector<Job> returned_;
  bool stopping_ = false;
  bool started_ = false;
  bool joined_ = false;

  // Reactor thread only.
  std::vector<std::unique_ptr<Conn>> conns_;             // by fd
  std::unordered_map<std::string, size_t> per_address_;  // open connections by client address
  size_t open_ = 0;
  size_t busy_ = 0;
  std::vector<int> tls_pending_;  // connections whose TLS session holds bytes not read yet
  std::atomic<size_t> open_snapshot_{0};
};

// True when the client of the request this thread is serving has closed its side of
// the connection (or it broke). For long responses — event streams — that would
// otherwise notice only at their next write. False outside a request.
bool client_gone();

}  // namespace gw::http
