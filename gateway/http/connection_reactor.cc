#include "gateway/http/connection_reactor.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string_view>

#include "gateway/core/log.h"
#include "gateway/http/tls_io.h"

namespace gw::http {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kReadChunk = 16384;
constexpr size_t kMaxReadPerWake = 65536;  // per connection per readiness event: no one starves the rest
constexpr auto kLinger = std::chrono::seconds(1);
constexpr size_t kMaxLingerBytes = 1u << 20;
constexpr auto kSweepEvery = std::chrono::milliseconds(100);

thread_local int t_socket = -1;

// Once, when a connection arrives: the reactor and the workers (ConnectionStream
// waits with poll() before each read and write) both use it non-blocking.
void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

std::string peer_address(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "?";
  char host[NI_MAXHOST];
  if (::getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof(host), nullptr, 0,
                    NI_NUMERICHOST) != 0)
    return "?";
  return host;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.remove_suffix(1);
  return v;
}

// What the reactor needs to know of a head before a worker parses it properly.
struct HeadFacts {
  bool chunked = false;
  bool has_length = false;
  bool bad_length = false;
  uint64_t length = 0;
  size_t expect_begin = std::string::npos;  // the "Expect: 100-continue" line, to be removed
  size_t expect_end = 0;
};

HeadFacts read_facts(const std::string& buf, size_t headers_begin, size_t head_end) {
  HeadFacts f;
  size_t pos = headers_begin;
  while (pos < head_end) {
    size_t eol = buf.find('\n', pos);
    if (eol == std::string::npos || eol >= head_end) break;
    const std::string_view line(buf.data() + pos, eol - pos);
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      const std::string_view name = trim(line.substr(0, colon));
      const std::string_view value = trim(line.substr(colon + 1));
      if (iequals(name, "Content-Length")) {
        uint64_t n = 0;
        bool ok = !value.empty() && value.size() <= 19;
        for (char ch : value) {
          if (ch < '0' || ch > '9')
            ok = false;
          else
            n = n * 10 + static_cast<uint64_t>(ch - '0');
        }
        if (!ok || (f.has_length && f.length != n)) f.bad_length = true;
        f.has_length = true;
        f.length = n;
      } else if (iequals(name, "Transfer-Encoding")) {
        f.chunked = true;  // anything but identity; httplib decides what it accepts
      } else if (iequals(name, "Expect") && iequals(value, "100-continue")) {
        f.expect_begin = pos;
        f.expect_end = eol + 1;
      }
    }
    pos = eol + 1;
  }
  return f;
}

enum class Chunks { kNeedMore, kComplete, kHandOver };

// Finds where a chunked body ends, without decoding it (the worker's httplib does).
// kHandOver: malformed or over max_body — the worker answers 400 or 413.
Chunks scan_chunks(const std::string& b, size_t& pos, size_t& total, size_t max_body, size_t& end) {
  while (true) {
    const size_t eol = b.find('\n', pos);
    if (eol == std::string::npos) return b.size() - pos > 1024 ? Chunks::kHandOver : Chunks::kNeedMore;
    uint64_t size = 0;
    size_t i = pos;
    for (; i < eol; ++i) {
      const char ch = b[i];
      int d;
      if (ch >= '0' && ch <= '9')
        d = ch - '0';
      else if (ch >= 'a' && ch <= 'f')
        d = ch - 'a' + 10;
      else if (ch >= 'A' && ch <= 'F')
        d = ch - 'A' + 10;
      else
        break;
      size = size * 16 + static_cast<uint64_t>(d);
      if (size > max_body) return Chunks::kHandOver;
    }
    if (i == pos) return Chunks::kHandOver;
    if (size == 0) {
      size_t p = eol + 1;
      while (true) {
        const size_t e = b.find('\n', p);
        if (e == std::string::npos) return b.size() - eol > 8192 ? Chunks::kHandOver : Chunks::kNeedMore;
        if (e == p || (e == p + 1 && b[p] == '\r')) {
          end = e + 1;
          return Chunks::kComplete;
        }
        if (e - eol > 8192) return Chunks::kHandOver;
        p = e + 1;
      }
    }
    if (total + size > max_body) return Chunks::kHandOver;
    const size_t data_end = eol + 1 + static_cast<size_t>(size);
    if (b.size() < data_end + 2) return Chunks::kNeedMore;
    if (b[data_end] != '\r' || b[data_end + 1] != '\n') return Chunks::kHandOver;
    total += size;
    pos = data_end + 2;
  }
}

std::string method_of(const std::string& buf) {
  const size_t sp = buf.find(' ');
  if (sp == std::string::npos || sp > 16) return {};
  return buf.substr(0, sp);
}

}  // namespace

struct ConnectionReactor::Conn {
  enum class State { kHandshake, kIdle, kHead, kBody, kBusy, kLinger };
  int fd = -1;
  SSL* ssl = nullptr;  // a TLS listener's connection
  std::string address;
  std::string buf;
  State state = State::kIdle;
  Clock::time_point deadline;
  HeadScan scan;
  size_t body_end = 0;  // kBody with a Content-Length: where the request ends
  bool chunked = false;
  size_t chunk_pos = 0;
  size_t chunk_total = 0;
  size_t served = 0;
  size_t lingered = 0;
  bool peer_closed = false;
};

struct ConnectionReactor::Job {
  int fd = -1;
  SSL* ssl = nullptr;
  std::string buf;
  bool last = false;
  bool keep = false;
};

struct ConnectionReactor::Pool {
  WorkerPoolSpec spec;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Job> queue;
  bool stop = false;
  std::vector<std::thread> threads;
};

bool client_gone() {
  if (t_socket < 0) return false;
  pollfd p{t_socket, POLLRDHUP, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  return (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

ConnectionReactor::ConnectionReactor(ReactorOptions options, Serve serve, Answered answered)
    : options_(std::move(options)), serve_(std::move(serve)), answered_(std::move(answered)) {
  if (options_.pools.empty()) options_.pools.push_back(WorkerPoolSpec{"default", 16, 256, {}});
  for (const WorkerPoolSpec& spec : options_.pools) {
    auto p = std::make_unique<Pool>();
    p->spec = spec;
    p->spec.threads = std::max(1, spec.threads);
    p->spec.max_queue = std::max<size_t>(1, spec.max_queue);
    pools_.push_back(std::move(p));
  }
}

ConnectionReactor::~ConnectionReactor() {
  shutdown();
}

bool ConnectionReactor::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_) return epoll_fd_ >= 0;
  started_ = true;
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || wake_fd_ < 0) {
    log::error("http_reactor_failed", {{"problem", std::strerror(errno)}});
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
    if (wake_fd_ >= 0) ::close(wake_fd_);
    epoll_fd_ = wake_fd_ = -1;
    return false;
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
  for (auto& p : pools_) {
    for (int i = 0; i < p->spec.threads; ++i)
      p->threads.emplace_back([this, pool = p.get()] { work(*pool); });
  }
  thread_ = std::thread([this] { loop(); });
  return true;
}

void ConnectionReactor::adopt(int sock) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_ && epoll_fd_ >= 0) {
      incoming_.push_back(sock);
      wake();
      return;
    }
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
}

void ConnectionReactor::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (joined_) return;
    joined_ = true;
    stopping_ = true;
    if (epoll_fd_ >= 0) wake();
  }
  if (thread_.joinable()) thread_.join();
  for (auto& p : pools_) {
    {
      std::lock_guard<std::mutex> lock(p->mu);
      p->stop = true;
    }
    p->cv.notify_all();
    for (auto& t : p->threads) t.join();
    p->threads.clear();
  }
  // Sockets handed over after the reactor ended.
  for (int fd : incoming_) ::close(fd);
  incoming_.clear();
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
  epoll_fd_ = wake_fd_ = -1;
}

size_t ConnectionReactor::open_connections() const {
  return open_snapshot_.load();
}

void ConnectionReactor::wake() {
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof(one));
}

void ConnectionReactor::loop() {
  std::vector<epoll_event> events(256);
  auto next_sweep = Clock::now() + kSweepEvery;
  while (true) {
    const int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                               tls_pending_.empty() ? static_cast<int>(kSweepEvery.count()) : 0);
    if (n < 0 && errno != EINTR) {
      log::error("http_reactor_failed", {{"problem", std::strerror(errno)}});
      break;
    }
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_fd_) {
        uint64_t v;
        while (::read(wake_fd_, &v, sizeof(v)) > 0) {
        }
        continue;
      }
      if (fd >= 0 && static_cast<size_t>(fd) < conns_.size() && conns_[fd]) on_readable(*conns_[fd]);
    }
    // Decrypted bytes left in a TLS session raise no epoll event: read them now.
    std::vector<int> pending;
    pending.swap(tls_pending_);
    for (int fd : pending) {
      Conn* c = static_cast<size_t>(fd) < conns_.size() ? conns_[fd].get() : nullptr;
      if (c && c->state != Conn::State::kBusy && c->state != Conn::State::kLinger) on_readable(*c);
    }
    take_returned();
    take_incoming();
    bool stopping;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping = stopping_;
    }
    if (stopping) {
      for (size_t fd = 0; fd < conns_.size(); ++fd) {
        if (conns_[fd] && conns_[fd]->state != Conn::State::kBusy) close_conn(static_cast<int>(fd));
      }
      if (busy_ == 0) break;
      continue;
    }
    if (Clock::now() >= next_sweep) {
      sweep();
      next_sweep = Clock::now() + kSweepEvery;
    }
  }
  for (size_t fd = 0; fd < conns_.size(); ++fd) {
    if (conns_[fd]) close_conn(static_cast<int>(fd));
  }
}

void ConnectionReactor::take_incoming() {
  std::vector<int> fds;
  {
    std::lock_guard<std::mutex> lock(mu_);
    fds.swap(incoming_);
  }
  for (int fd : fds) {
    if (fd < 0) continue;
    if (static_cast<size_t>(fd) >= conns_.size()) conns_.resize(static_cast<size_t>(fd) + 1);
    auto c = std::make_unique<Conn>();
    c->fd = fd;
    c->address = peer_address(fd);
    c->deadline = Clock::now() + options_.keep_alive_timeout;
    set_nonblocking(fd);
    size_t& from_address = per_address_[c->address];
    const bool over_total = open_ >= options_.max_connections;
    const bool over_address = from_address >= options_.max_connections_per_address;
    ++from_address;
    ++open_;
    Conn& conn = *c;
    conns_[fd] = std::move(c);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      close_conn(fd);
      continue;
    }
    if ((over_total || over_address) && options_.tls) {
      log::warn("http_connection_refused",
                {{"reason", over_total ? "connections" : "connections_per_address"}});
      close_conn(fd);
      continue;
    }
    if (options_.tls) {
      conn.ssl = SSL_new(options_.tls);
      if (!conn.ssl || SSL_set_fd(conn.ssl, fd) != 1) {
        close_conn(fd);
        continue;
      }
      conn.state = Conn::State::kHandshake;
      conn.deadline = Clock::now() + options_.read_timeout;
    }
    if (over_total || over_address) {
      log::warn("http_connection_refused",
                {{"reason", over_total ? "connections" : "connections_per_address"}});
      answer(conn, 503, "unavailable",
             over_total ? "too many open connections; try again shortly"
                        : "too many open connections from this address; try again shortly");
      // Past the total, not even a lingering close: the slot is what is short.
      if (over_total) close_conn(fd);
    }
  }
  open_snapshot_.store(open_);
}

void ConnectionReactor::take_returned() {
  std::vector<Job> jobs;
  bool stopping;
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs.swap(returned_);
    stopping = stopping_;
  }
  for (Job& j : jobs) {
    --busy_;
    Conn* c = static_cast<size_t>(j.fd) < conns_.size() ? conns_[j.fd].get() : nullptr;
    if (!c) continue;
    if (!j.keep || stopping || c->peer_closed) {
      close_conn(j.fd);
      continue;
    }
    ++c->served;
    c->buf = std::move(j.buf);
    if (c->buf.capacity() > 4 * kReadChunk && c->buf.size() < kReadChunk) c->buf.shrink_to_fit();
    c->scan = HeadScan{};
    c->chunked = false;
    c->chunk_pos = c->chunk_total = c->body_end = 0;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = j.fd;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, j.fd, &ev) != 0) {
      close_conn(j.fd);
      continue;
    }
    if (io_pending(c->ssl) > 0) tls_pending_.push_back(j.fd);
    if (c->buf.empty()) {
      c->state = Conn::State::kIdle;
      c->deadline = Clock::now() + options_.keep_alive_timeout;
    } else {
      // A pipelined request is already here.
      c->state = Conn::State::kHead;
      c->deadline = Clock::now() + options_.read_timeout;
      progress(*c);
    }
  }
}

bool ConnectionReactor::handshake(Conn& c) {
  short wait = POLLIN;
  const Handshake h = io_accept(c.ssl, &wait);
  if (h == Handshake::kFailed) {
    close_conn(c.fd);
    return false;
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP;
  if (h == Handshake::kWait) {
    if (wait == POLLOUT) ev.events |= EPOLLOUT;
    ev.data.fd = c.fd;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
    return false;
  }
  ev.data.fd = c.fd;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
  c.state = Conn::State::kIdle;
  c.deadline = Clock::now() + options_.keep_alive_timeout;
  return true;
}

void ConnectionReactor::on_readable(Conn& c) {
  if (c.state == Conn::State::kHandshake && !handshake(c)) return;
  char chunk[kReadChunk];
  size_t got = 0;
  bool eof = false;
  short wait = POLLIN;
  while (got < kMaxReadPerWake) {
    // A lingering connection's bytes are thrown away: no need to decrypt them.
    const ssize_t n = c.state == Conn::State::kLinger ? ::recv(c.fd, chunk, sizeof(chunk), 0)
                                                      : io_recv(c.fd, c.ssl, chunk, sizeof(chunk), &wait);
    if (n > 0) {
      got += static_cast<size_t>(n);
      if (c.state == Conn::State::kLinger) {
        c.lingered += static_cast<size_t>(n);
        if (c.lingered > kMaxLingerBytes) {
          close_conn(c.fd);
          return;
        }
        continue;
      }
      if (c.state == Conn::State::kIdle) {
        c.state = Conn::State::kHead;
        c.deadline = Clock::now() + options_.read_timeout;
      }
      c.buf.append(chunk, static_cast<size_t>(n));
      // Enough to decide: the rest stays in the socket until the request is handled.
      if (c.state == Conn::State::kHead && c.buf.size() > options_.head_limits.max_request_line_bytes +
                                                              options_.head_limits.max_header_bytes + 4)
        break;
      if (c.state == Conn::State::kBody && c.buf.size() > c.body_end && !c.chunked) break;
      continue;
    }
    if (n == 0) {
      eof = true;
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    close_conn(c.fd);  // reset or broken
    return;
  }
  const int fd = c.fd;
  if (!eof && io_pending(c.ssl) > 0) tls_pending_.push_back(fd);
  if (c.state == Conn::State::kHead || c.state == Conn::State::kBody) progress(c);
  Conn* still = static_cast<size_t>(fd) < conns_.size() ? conns_[fd].get() : nullptr;
  if (!still || !eof) return;
  if (still->state == Conn::State::kBusy) {
    // The client sent a whole request and closed its side: it is answered, then closed.
    still->peer_closed = true;
    return;
  }
  close_conn(fd);
}

void ConnectionReactor::progress(Conn& c) {
  if (c.state == Conn::State::kHead) {
    const HeadStatus st = check_request_head(c.buf, options_.head_limits, c.scan);
    if (st == HeadStatus::kLineTooLong) {
      answer(c, 414, "uri_too_long",
             "the request line is longer than " +
                 std::to_string(options_.head_limits.max_request_line_bytes) + " bytes");
      return;
    }
    if (st == HeadStatus::kHeadersTooLarge) {
      answer(c, 431, "request_header_fields_too_large",
             "the request has more than " + std::to_string(options_.head_limits.max_headers) +
                 " header lines or " + std::to_string(options_.head_limits.max_header_bytes) +
                 " bytes of headers");
      return;
    }
    if (st != HeadStatus::kComplete) return;
    // scan.pos is the start of the blank line that ends the head.
    size_t head_end = c.buf.find('\n', c.scan.pos) + 1;
    HeadFacts f = read_facts(c.buf, c.scan.line_end + 1, head_end);
    if (f.expect_begin != std::string::npos) {
      if (f.has_length && !f.bad_length && f.length > options_.max_body_bytes) {
        dispatch(c);  // the worker answers 413 before the body is sent
        return;
      }
      // The body is read here, so the go-ahead is given here; the worker must not give it again.
      c.buf.erase(f.expect_begin, f.expect_end - f.expect_begin);
      head_end -= f.expect_end - f.expect_begin;
      if (c.buf.size() == head_end) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        short wait = POLLOUT;
        [[maybe_unused]] const ssize_t n = io_send(c.fd, c.ssl, kContinue.data(), kContinue.size(), &wait);
      }
    }
    if (f.chunked) {
      c.chunked = true;
      c.chunk_pos = head_end;
    } else if (f.has_length && !f.bad_length && f.length > 0 && f.length <= options_.max_body_bytes) {
      c.body_end = head_end + static_cast<size_t>(f.length);
    } else {
      // No body, or one the worker refuses (413, 400) without reading it.
      dispatch(c);
      return;
    }
    c.state = Conn::State::kBody;
    c.deadline = Clock::now() + options_.read_timeout;
  }
  if (c.state != Conn::State::kBody) return;
  if (c.chunked) {
    size_t end = 0;
    const Chunks r = scan_chunks(c.buf, c.chunk_pos, c.chunk_total, options_.max_body_bytes, end);
    if (r != Chunks::kNeedMore) dispatch(c);
    return;
  }
  if (c.buf.size() >= c.body_end) dispatch(c);
}

size_t ConnectionReactor::pool_for(const std::string& buffer) const {
  const size_t sp = buffer.find(' ');
  if (sp == std::string::npos) return 0;
  const size_t end = buffer.find_first_of(" ?#\r\n", sp + 1);
  const std::string_view path(buffer.data() + sp + 1,
                              (end == std::string::npos ? buffer.size() : end) - sp - 1);
  for (size_t i = 1; i < pools_.size(); ++i) {
    for (const std::string& prefix : pools_[i]->spec.path_prefixes) {
      if (path.substr(0, prefix.size()) == prefix) return i;
    }
  }
  return 0;
}

void ConnectionReactor::dispatch(Conn& c) {
  Pool& pool = *pools_[pool_for(c.buf)];
  {
    std::unique_lock<std::mutex> lock(pool.mu);
    if (pool.queue.size() >= pool.spec.max_queue) {
      lock.unlock();
      log::warn("http_queue_full", {{"pool", pool.spec.name}});
      answer(c, 503, "unavailable", "the server is busy; try again shortly");
      return;
    }
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
    c.state = Conn::State::kBusy;
    ++busy_;
    const bool last = c.served + 1 >= options_.keep_alive_max;
    pool.queue.push_back(Job{c.fd, c.ssl, std::move(c.buf), last, false});
    c.buf.clear();
  }
  pool.cv.notify_one();
}

void ConnectionReactor::work(Pool& pool) {
  while (true) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(pool.mu);
      pool.cv.wait(lock, [&] { return pool.stop || !pool.queue.empty(); });
      if (pool.queue.empty()) return;
      job = std::move(pool.queue.front());
      pool.queue.pop_front();
    }
    bool stopping;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping = stopping_;
    }
    t_socket = job.fd;
    try {
      job.keep = serve_(job.fd, job.ssl, job.buf, job.last || stopping);
    } catch (...) {
      job.keep = false;
    }
    t_socket = -1;
    {
      std::lock_guard<std::mutex> lock(mu_);
      returned_.push_back(std::move(job));
      wake();
    }
  }
}

void ConnectionReactor::answer(Conn& c, int status, const std::string& code, const std::string& message) {
  const char* reason = status == 408   ? "Request Timeout"
                       : status == 414 ? "URI Too Long"
                       : status == 431 ? "Request Header Fields Too Large"
                                       : "Service Unavailable";
  const std::string body = nlohmann::json{{"error", code}, {"message", message}}.dump();
  std::string response =
      "HTTP/1.1 " + std::to_string(status) + " " + reason +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n";
  if (status == 503) response += "Retry-After: 1\r\n";
  if (c.ssl) response += "Strict-Transport-Security: max-age=31536000\r\n";
  response += "\r\n" + body;
  // Small enough for any socket buffer; a client that has filled its own gets nothing.
  short wait = POLLOUT;
  [[maybe_unused]] const ssize_t n = io_send(c.fd, c.ssl, response.data(), response.size(), &wait);
  answered_(method_of(c.buf), status);
  if (c.ssl) {
    io_close(c.ssl);  // close_notify before the end of the stream
    c.ssl = nullptr;
  }
  // A lingering close: a client still sending would otherwise get a reset (and lose
  // this answer) when the socket closes with its bytes unread.
  ::shutdown(c.fd, SHUT_WR);
  c.state = Conn::State::kLinger;
  c.deadline = Clock::now() + kLinger;
  c.buf.clear();
  c.buf.shrink_to_fit();
}

void ConnectionReactor::close_conn(int fd) {
  if (fd < 0 || static_cast<size_t>(fd) >= conns_.size() || !conns_[fd]) return;
  Conn& c = *conns_[fd];
  if (c.state != Conn::State::kBusy) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  auto it = per_address_.find(c.address);
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
  --open_;
  open_snapshot_.store(open_);
  io_close(c.ssl);
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
  conns_[fd].reset();
}

void ConnectionReactor::sweep() {
  const auto now = Clock::now();
  for (size_t fd = 0; fd < conns_.size(); ++fd) {
    Conn* c = conns_[fd].get();
    if (!c || c->state == Conn::State::kBusy || now < c->deadline) continue;
    if (c->state == Conn::State::kHandshake) {
      close_conn(static_cast<int>(fd));  // nothing to answer on before the handshake
    } else if (c->state == Conn::State::kHead || c->state == Conn::State::kBody) {
      answer(*c, 408, "request_timeout", "the request did not arrive in time");
      close_conn(static_cast<int>(fd));
    } else {
      close_conn(static_cast<int>(fd));
    }
  }
}

}  // namespace gw::http
