// FakeHttpClient: an HttpClient that records every request and answers from a
// script, so code that calls provider APIs is tested without a network.
//
// Answers, in order of precedence:
//   1. the next scripted answer (push_response / push_error), first in first out;
//   2. the handler, when one is set (set_handler), called with the request;
//   3. the default response (200 with an empty body unless set_default_response).
// Every request is recorded before it is answered, whatever the answer.
// All methods are thread-safe; the handler is called without the lock held, so
// it may call back into the fake (e.g. requests()).
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <variant>
#include <vector>

#include "gateway/core/http_client.h"

namespace gw::testing {

class FakeHttpClient final : public HttpClient {
 public:
  using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;

  FakeHttpClient();

  Result<HttpResponse> send(const HttpRequest& request) override;

  // Queues one answer for a later send().
  void push_response(HttpResponse response);
  void push_response(int status, std::string body = "", HttpHeaders headers = {});
  void push_error(Error error);

  // Answers requests the script does not cover; an empty handler removes it.
  void set_handler(Handler handler);
  void set_default_response(HttpResponse response);

  // A copy of every request sent so far, oldest first.
  std::vector<HttpRequest> requests() const;
  size_t request_count() const;
  // The most recent request, or a default HttpRequest when there was none.
  HttpRequest last_request() const;
  // Scripted answers not yet consumed.
  size_t pending_answers() const;
  void clear_requests();

 private:
  mutable std::mutex mu_;
  std::vector<HttpRequest> requests_;
  std::deque<std::variant<HttpResponse, Error>> script_;
  Handler handler_;
  HttpResponse default_response_;
};

}  // namespace gw::testing
