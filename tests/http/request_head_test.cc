#include "gateway/http/request_head.h"

#include <catch2/catch.hpp>

using gw::http::check_request_head;
using gw::http::HeadStatus;
using gw::http::RequestHeadLimits;

TEST_CASE("a request head is checked against the line, header count and header size limits", "[http][head]") {
  RequestHeadLimits limits;
  limits.max_request_line_bytes = 32;
  limits.max_header_bytes = 64;
  limits.max_headers = 3;
  CHECK(check_request_head("GET / HTTP/1.1\r\nHost: a\r\n\r\n", limits) == HeadStatus::kComplete);
  CHECK(check_request_head("GET / HTTP/1.1\r\nHost: a\r\n", limits) == HeadStatus::kClosed);  // not whole yet
  CHECK(check_request_head("GET /" + std::string(40, 'a') + " HTTP/1.1\r\n\r\n", limits) ==
        HeadStatus::kLineTooLong);
  CHECK(check_request_head("GET /" + std::string(40, 'a'), limits) ==
        HeadStatus::kLineTooLong);  // no end yet
  CHECK(check_request_head("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits) ==
        HeadStatus::kComplete);
  CHECK(check_request_head("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", limits) ==
        HeadStatus::kHeadersTooLarge);
  CHECK(check_request_head("GET / HTTP/1.1\r\nA: " + std::string(70, 'x'), limits) ==
        HeadStatus::kHeadersTooLarge);
  // Body bytes after the head do not count.
  CHECK(check_request_head("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'b'),
                           limits) == HeadStatus::kComplete);
}
