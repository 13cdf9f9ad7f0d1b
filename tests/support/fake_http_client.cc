#include "tests/support/fake_http_client.h"

#include <utility>

namespace gw::testing {

FakeHttpClient::FakeHttpClient() {
  default_response_.status = 200;
}

Result<HttpResponse> FakeHttpClient::send(const HttpRequest& request) {
  Handler handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(request);
    if (!script_.empty()) {
      auto next = std::move(script_.front());
      script_.pop_front();
      if (auto* response = std::get_if<HttpResponse>(&next)) return std::move(*response);
      return std::get<Error>(std::move(next));
    }
    if (!handler_) return default_response_;
    handler = handler_;  // a copy, so set_handler() during the call is safe
  }
  return handler(request);
}

void FakeHttpClient::push_response(HttpResponse response) {
  std::lock_guard<std::mutex> lock(mu_);
  script_.emplace_back(std::move(response));
}

void FakeHttpClient::push_response(int status, std::string body, HttpHeaders headers) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  push_response(std::move(r));
}

void FakeHttpClient::push_error(Error error) {
  std::lock_guard<std::mutex> lock(mu_);
  script_.emplace_back(std::move(error));
}

void FakeHttpClient::set_handler(Handler handler) {
  std::lock_guard<std::mutex> lock(mu_);
  handler_ = std::move(handler);
}

void FakeHttpClient::set_default_response(HttpResponse response) {
  std::lock_guard<std::mutex> lock(mu_);
  default_response_ = std::move(response);
}

std::vector<HttpRequest> FakeHttpClient::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

size_t FakeHttpClient::request_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.size();
}

HttpRequest FakeHttpClient::last_request() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.empty() ? HttpRequest{} : requests_.back();
}

size_t FakeHttpClient::pending_answers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return script_.size();
}

void FakeHttpClient::clear_requests() {
  std::lock_guard<std::mutex> lock(mu_);
  requests_.clear();
}

}  // namespace gw::testing
