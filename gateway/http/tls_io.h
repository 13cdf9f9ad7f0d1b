// Reads, writes and the server handshake on an accepted non-blocking socket, through
// TLS when the connection has an OpenSSL session and straight on the socket when not.
//
// The reactor (connection_reactor.h) and the workers' ConnectionStream share these, so
// that a TLS connection gets exactly the bounds a plain one gets: the bytes they see
// are the decrypted ones, read and written under the same deadlines.
//
// Results follow recv()/send(): > 0 bytes moved, 0 when the peer closed (TLS
// close_notify or a bare end of stream), -1 with errno set otherwise. When the call
// would block, errno is EAGAIN and `*wait` says what to wait for (POLLIN or POLLOUT):
// TLS may need to write while reading (a renegotiation or key update) and the reverse.
// Any other TLS failure is -1 with errno ECONNRESET. An SSL object is used by one
// thread at a time.
#pragma once

#include <openssl/ssl.h>
#include <sys/types.h>

#include <cstddef>

namespace gw::http {

ssize_t io_recv(int fd, SSL* ssl, char* buf, size_t size, short* wait);
ssize_t io_send(int fd, SSL* ssl, const char* buf, size_t size, short* wait);

// Bytes TLS has decrypted and holds already: readiness on the socket says nothing
// about them, so whoever stops reading with some left must come back for them.
size_t io_pending(SSL* ssl);

enum class Handshake { kDone, kWait, kFailed };
// Advances the server side of a TLS handshake; kWait sets `*wait` as above.
Handshake io_accept(SSL* ssl, short* wait);

// Sends close_notify if it can without waiting, then frees the session. Null is allowed.
void io_close(SSL* ssl);

}  // namespace gw::http
