// CurlHttpClient: the real HttpClient, on libcurl's easy interface.
//
// Each send() borrows an easy handle from a small pool and returns it after,
// so the handle's connection cache (keep-alive connections, TLS sessions, DNS)
// is reused by the next request to the same host. The pool is a LIFO free list:
// sequential requests get the same handle and so the same connection; concurrent
// requests each get their own handle.
//
// Safety choices, none of which a request can turn off:
//  - TLS peer and host name verification always on (system CA store, or
//    Options::ca_file); TLS 1.2 or newer.
//  - Only http:// and https:// URLs; redirects are never followed (a provider
//    API that redirects is answered as the 3xx it is).
//  - No proxy unless Options::proxy names one; the http_proxy/https_proxy
//    environment variables are ignored, so the environment cannot divert
//    traffic that carries credentials and message bodies.
//  - Response bodies larger than Options::max_response_bytes are an Error.
//  - Error messages name the host and the libcurl failure, never the path,
//    query, headers or body (paths hold bot tokens; bodies hold phone numbers).
//
// libcurl is initialised once per process (curl_global_init under
// std::call_once) and never cleaned up, since other threads may still use it.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "gateway/core/http_client.h"

namespace gw {

class CurlHttpClient final : public HttpClient {
 public:
  struct Options {
    // PEM file of CA certificates to trust instead of the system store; empty
    // means the system store. Verification stays on either way.
    std::string ca_file;
    // A proxy URL ("http://proxy:3128"); empty means connect directly.
    std::string proxy;
    // A larger response body ends the request with kIo.
    size_t max_response_bytes = 4 * 1024 * 1024;
    // Idle handles kept for reuse; more concurrent requests than this still
    // work, their extra handles (and connections) are closed after use.
    size_t max_idle_handles = 8;
  };

  CurlHttpClient();
  explicit CurlHttpClient(Options options);
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  // See HttpClient::send. Errors:
  //  kInvalidArgument  malformed URL, a scheme other than http/https, an unknown
  //                    method, a header name/value with CR/LF, a non-positive
  //                    timeout, or an unreadable ca_file;
  //  kTimeout          the request or connect timeout passed;
  //  kUnavailable      name resolution, connect, TLS handshake or verification,
  //                    send or receive failed (no usable response);
  //  kIo               the response body exceeded max_response_bytes;
  //  kInternal         anything else (out of memory, unexpected libcurl codes).
  // Thread-safe.
  Result<HttpResponse> send(const HttpRequest& request) override;

  // The user agent sent when the request sets none: "helpline-gateway/<version>".
  static const char* user_agent();

 private:
  // libcurl's CURL is `void` to its users; kept opaque so this header stays light.
  using EasyHandle = void*;

  EasyHandle acquire();
  void release(EasyHandle handle);

  const Options options_;
  std::mutex mu_;
  std::vector<EasyHandle> idle_;  // guarded by mu_
};

}  // namespace gw
