// The request-head check that runs before cpp-httplib sees a request: on any
// bytes, checked at once or as they arrive in pieces (the scan carried over),
// it gives the same answer and never reads out of bounds. Small limits, so
// that every limit is reached.
#include "fuzz/fuzz_check.h"
#include "gateway/http/request_head.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  gw::http::RequestHeadLimits limits;
  limits.max_request_line_bytes = 64;
  limits.max_header_bytes = 256;
  limits.max_headers = 8;
  const size_t step = 1 + data[0] % 16;  // bytes a read brings
  const std::string all(gw::fuzz::text(data + 1, size - 1));

  gw::http::HeadScan scan;
  std::string buffer;
  gw::http::HeadStatus status = gw::http::HeadStatus::kClosed;
  size_t at = 0;
  while (status == gw::http::HeadStatus::kClosed && at < all.size()) {
    buffer.append(all, at, step);
    at += step;
    status = gw::http::check_request_head(buffer, limits, scan);
    FUZZ_CHECK(status == gw::http::check_request_head(buffer, limits));
  }
  return 0;
}
