// ConnectionStream: an httplib::Stream over an accepted socket whose reads come
// first from a buffer the gateway filled itself (the request head it read and
// checked, see request_head.h), then from the socket.
//
// It does what httplib's own SocketStream (not exported by Debian's compiled
// library) does: reads and writes wait at most the read and write timeouts, and
// single-byte reads (httplib reads header lines a byte at a time) are served from
// the buffer instead of one recv() each. With an SSL session (a TLS listener's
// connection, handshake done) reads and writes go through it (tls_io.h).
#pragma once

#include <httplib.h>
#include <openssl/ssl.h>

#include <chrono>
#include <string>

namespace gw::http {

class ConnectionStream : public httplib::Stream {
 public:
  // `ssl` may be null (plain); it is not owned.
  ConnectionStream(int sock, SSL* ssl, std::chrono::microseconds read_timeout,
                   std::chrono::microseconds write_timeout);

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return sock_; }

  // What has been received but not yet read: the next request head is read into it.
  std::string& buffer() { return buffer_; }
  // Drops the bytes read through read() from the front of the buffer.
  void compact();

 private:
  int sock_;
  SSL* ssl_;
  std::chrono::microseconds read_timeout_;
  std::chrono::microseconds write_timeout_;
  std::string buffer_;
  size_t offset_ = 0;  // buffer_[0, offset_) was already read
};

}  // namespace gw::http
