// HttpClient: the seam for every outbound HTTP request (provider REST APIs).
//
// The real implementation is CurlHttpClient (curl_http_client.h); tests use
// FakeHttpClient (tests/support/fake_http_client.h), which records requests and
// replays scripted responses.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/result.h"

namespace gw {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";  // GET, POST, PUT, DELETE
  std::string url;             // absolute: scheme://host[:port]/path?query
  HttpHeaders headers;
  std::string body;
  // Basic auth credentials, sent only when `basic_user` is not empty.
  std::string basic_user;
  std::string basic_password;
  std::chrono::milliseconds timeout{10000};         // whole request
  std::chrono::milliseconds connect_timeout{3000};  // TCP + TLS handshake
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  // names lower-cased
  std::string body;

  // The first value of header `name`, or "". Names compare ASCII case-insensitively,
  // so header("Retry-After") and header("retry-after") are the same.
  std::string header(const std::string& name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Performs the request. A response with any HTTP status is a value; an Error
  // means no response was received (kTimeout, kUnavailable for connection
  // failures, kInvalidArgument for a malformed URL). Safe to call from several
  // threads at once.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

}  // namespace gw
