#include "gateway/http/connection_stream.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "gateway/http/tls_io.h"

namespace gw::http {
namespace {

bool wait_for(int sock, short events, std::chrono::microseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{sock, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, left.count())));
    if (n < 0 && errno == EINTR) continue;
    return n > 0 && (p.revents & (events | POLLHUP | POLLERR)) != 0;
  }
}

void address_of(const sockaddr_storage& addr, socklen_t len, std::string& ip, int& port) {
  char host[NI_MAXHOST];
  char serv[NI_MAXSERV];
  if (::getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    ip = host;
    port = std::atoi(serv);
  }
}

}  // namespace

ConnectionStream::ConnectionStream(int sock, SSL* ssl, std::chrono::microseconds read_timeout,
                                   std::chrono::microseconds write_timeout)
    : sock_(sock), ssl_(ssl), read_timeout_(read_timeout), write_timeout_(write_timeout) {}

bool ConnectionStream::is_readable() const {
  return offset_ < buffer_.size() || io_pending(ssl_) > 0 || wait_for(sock_, POLLIN, read_timeout_);
}

bool ConnectionStream::is_writable() const {
  return wait_for(sock_, POLLOUT, write_timeout_);
}

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  if (offset_ == buffer_.size()) {
    buffer_.clear();
    offset_ = 0;
    char chunk[4096];
    ssize_t n;
    // The socket is non-blocking: wait for it, then read what is there.
    short wait = POLLIN;
    if (io_pending(ssl_) == 0 && !wait_for(sock_, wait, read_timeout_)) return -1;
    while ((n = io_recv(sock_, ssl_, chunk, sizeof(chunk), &wait)) < 0 &&
           (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (errno != EINTR && !wait_for(sock_, wait, wait == POLLIN ? read_timeout_ : write_timeout_))
        return -1;
    }
    if (n <= 0) return n;
    buffer_.append(chunk, static_cast<size_t>(n));
  }
  const size_t n = std::min(size, buffer_.size() - offset_);
  std::memcpy(ptr, buffer_.data() + offset_, n);
  offset_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  ssize_t n;
  short wait = POLLOUT;
  do {
    if (!wait_for(sock_, wait, wait == POLLOUT ? write_timeout_ : read_timeout_)) return -1;
    n = io_send(sock_, ssl_, ptr, size, &wait);
  } while (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK));
  return n;
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, len, ip, port);
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) address_of(addr, len, ip, port);
}

void ConnectionStream::compact() {
  buffer_.erase(0, offset_);
  offset_ = 0;
}

}  // namespace gw::http
