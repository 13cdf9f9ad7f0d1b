#include "gateway/http/tls_io.h"

#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>

namespace gw::http {
namespace {

// Maps the outcome of an SSL_read/SSL_write that moved nothing.
ssize_t tls_failure(SSL* ssl, int ret, short* wait) {
  const int err = SSL_get_error(ssl, ret);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      *wait = POLLIN;
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_WANT_WRITE:
      *wait = POLLOUT;
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_ZERO_RETURN:
      return 0;
    case SSL_ERROR_SYSCALL:
      // An end of stream without close_notify reads as a plain close; errno is the socket's.
      if (ERR_peek_error() == 0 && (ret == 0 || errno == 0)) return 0;
      [[fallthrough]];
    default:
      ERR_clear_error();
      errno = ECONNRESET;
      return -1;
  }
}

int clamp(size_t size) {
  return size > static_cast<size_t>(INT_MAX) ? INT_MAX : static_cast<int>(size);
}

}  // namespace

ssize_t io_recv(int fd, SSL* ssl, char* buf, size_t size, short* wait) {
  *wait = POLLIN;
  if (!ssl) return ::recv(fd, buf, size, 0);
  ERR_clear_error();
  errno = 0;
  const int n = SSL_read(ssl, buf, clamp(size));
  if (n > 0) return n;
  return tls_failure(ssl, n, wait);
}

ssize_t io_send(int fd, SSL* ssl, const char* buf, size_t size, short* wait) {
  *wait = POLLOUT;
  if (!ssl) return ::send(fd, buf, size, MSG_NOSIGNAL);
  if (size == 0) return 0;
  ERR_clear_error();
  errno = 0;
  const int n = SSL_write(ssl, buf, clamp(size));
  if (n > 0) return n;
  const ssize_t r = tls_failure(ssl, n, wait);
  if (r == 0) errno = EPIPE;
  return r == 0 ? -1 : r;
}

size_t io_pending(SSL* ssl) {
  if (!ssl) return 0;
  const int n = SSL_pending(ssl);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

Handshake io_accept(SSL* ssl, short* wait) {
  ERR_clear_error();
  const int r = SSL_accept(ssl);
  if (r == 1) return Handshake::kDone;
  const int err = SSL_get_error(ssl, r);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
    *wait = err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
    return Handshake::kWait;
  }
  ERR_clear_error();
  return Handshake::kFailed;
}

void io_close(SSL* ssl) {
  if (!ssl) return;
  if (SSL_is_init_finished(ssl)) {
    ERR_clear_error();
    (void)SSL_shutdown(ssl);  // non-blocking: close_notify goes out if the socket takes it
  }
  ERR_clear_error();
  SSL_free(ssl);
}

}  // namespace gw::http
