#include "gateway/http/request_head.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace gw::http {

HeadStatus check_request_head(const std::string& buffer, const RequestHeadLimits& limits, HeadScan& scan) {
  if (scan.line_end == std::string::npos) {
    scan.line_end = buffer.find('\n');
    if (scan.line_end == std::string::npos) {
      return buffer.size() > limits.max_request_line_bytes + 2 ? HeadStatus::kLineTooLong
                                                               : HeadStatus::kClosed;
    }
    // The line with its CRLF.
    if (scan.line_end + 1 > limits.max_request_line_bytes + 2) return HeadStatus::kLineTooLong;
    scan.pos = scan.line_end + 1;
  }
  const size_t headers_start = scan.line_end + 1;
  while (true) {
    const size_t end = buffer.find('\n', scan.pos);
    if (end == std::string::npos) {
      return buffer.size() - headers_start > limits.max_header_bytes ? HeadStatus::kHeadersTooLarge
                                                                     : HeadStatus::kClosed;
    }
    if (end + 1 - headers_start > limits.max_header_bytes) return HeadStatus::kHeadersTooLarge;
    const bool blank = end == scan.pos || (end == scan.pos + 1 && buffer[scan.pos] == '\r');
    if (blank) return HeadStatus::kComplete;
    if (++scan.headers > limits.max_headers) return HeadStatus::kHeadersTooLarge;
    scan.pos = end + 1;
  }
}

HeadStatus check_request_head(const std::string& buffer, const RequestHeadLimits& limits) {
  HeadScan scan;
  return check_request_head(buffer, limits, scan);
}

HeadStatus read_request_head(int sock, std::string& buffer, const RequestHeadLimits& limits,
                             std::chrono::steady_clock::time_point deadline) {
  constexpr size_t kChunk = 4096;
  char chunk[kChunk];
  HeadScan scan;  // what was already looked at: each byte is scanned once
  while (true) {
    const HeadStatus st = check_request_head(buffer, limits, scan);
    if (st != HeadStatus::kClosed) return st;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return HeadStatus::kTimedOut;
    pollfd p{sock, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return HeadStatus::kClosed;
    if (ready == 0) continue;
    const ssize_t n = ::recv(sock, chunk, kChunk, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return HeadStatus::kClosed;
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

}  // namespace gw::http
