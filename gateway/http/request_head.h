// RequestHeadLimits and read_request_head(): the bounded read of a request's line
// and headers, done before cpp-httplib parses them.
//
// Debian's compiled cpp-httplib (0.11.4) reads a request line of any length and
// any number of header lines into memory before it looks at them (25 MB of
// headers were answered 200), and its limits are compile-time macros we cannot
// change. So the gateway reads each request head itself, up to these bounds,
// and hands httplib only a head that fits; the rest of the connection (the body,
// the next request) is read through the same buffer.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace gw::http {

struct RequestHeadLimits {
  size_t max_request_line_bytes = 8192;  // longer request lines get 414
  size_t max_header_bytes = 16384;       // all header lines together; more gets 431
  size_t max_headers = 100;              // more header lines get 431
};

enum class HeadStatus {
  kComplete,         // buffer holds a whole head within the limits
  kClosed,           // the peer closed (or reset) before a whole head came
  kTimedOut,         // no whole head before the deadline
  kLineTooLong,      // 414
  kHeadersTooLarge,  // 431
};

// Reads from `sock` into `buffer` (which may already hold bytes of this request,
// left over from the previous one on the connection) until it holds a request line
// and headers ending with an empty line. Stops as soon as a limit is passed, or
// once `deadline` is reached. Never reads more than the limits plus one read's
// worth of bytes. Bytes after the head stay in `buffer` for the body.
HeadStatus read_request_head(int sock, std::string& buffer, const RequestHeadLimits& limits,
                             std::chrono::steady_clock::time_point deadline);

// How far check_request_head has looked into a buffer, so that a head arriving a
// byte at a time is scanned once, not once per byte.
struct HeadScan {
  size_t line_end = std::string::npos;  // the request line's '\n', once seen
  size_t pos = 0;                       // start of the first header line not yet seen whole
  size_t headers = 0;                   // header lines seen whole
};
HeadStatus check_request_head(const std::string& buffer, const RequestHeadLimits& limits, HeadScan& scan);

// Checks the head at the start of `buffer` against the limits without reading:
// kComplete, kLineTooLong or kHeadersTooLarge, or kClosed when it is not whole yet
// and no limit is passed.
HeadStatus check_request_head(const std::string& buffer, const RequestHeadLimits& limits);

}  // namespace gw::http
