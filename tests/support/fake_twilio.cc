#include "tests/support/fake_twilio.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "gateway/core/digest.h"

namespace gw::testing {
namespace {

FakeTwilioAnswer error_answer(int status, int code, std::string message) {
  FakeTwilioAnswer a;
  a.status = status;
  a.code = code;
  a.message = std::move(message);
  return a;
}

nlohmann::json error_body(int status, int code, const std::string& message) {
  nlohmann::json body = {{"code", code}, {"message", message}, {"status", status}};
  body["more_info"] = "https://www.twilio.com/docs/errors/" + std::to_string(code);
  return body;
}

}  // namespace

FakeTwilioAnswer FakeTwilioAnswer::accepted() {
  return FakeTwilioAnswer{};
}
FakeTwilioAnswer FakeTwilioAnswer::unsubscribed() {
  return error_answer(400, 21610, "Attempt to send to unsubscribed recipient");
}
FakeTwilioAnswer FakeTwilioAnswer::invalid_to() {
  return error_answer(400, 21211, "Invalid 'To' Phone Number");
}
FakeTwilioAnswer FakeTwilioAnswer::too_many_requests(int retry_after_seconds) {
  FakeTwilioAnswer a = error_answer(429, 20429, "Too Many Requests");
  a.retry_after = std::to_string(retry_after_seconds);
  return a;
}
FakeTwilioAnswer FakeTwilioAnswer::server_error() {
  return error_answer(500, 0, "Internal Server Error");
}

std::optional<std::string> FakeTwilioRequest::field(const std::string& name) const {
  const std::string* v = form_find(form, name);
  if (!v) return std::nullopt;
  return *v;
}

FakeTwilio::FakeTwilio(std::string account_sid, std::string auth_token)
    : account_sid_(std::move(account_sid)), auth_token_(std::move(auth_token)) {
  httplib::Server& srv = server_.server();
  // Nagle's algorithm is on in Debian's cpp-httplib; with it every answer on a
  // kept-alive connection waits for a delayed ACK (DESIGN.md, known facts).
  srv.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  });
  srv.Post(R"(/2010-04-01/Accounts/([^/]+)/Messages\.json)",
           [this](const httplib::Request& req, httplib::Response& res) {
             int status = 0;
             std::string body, retry_after;
             handle(req.matches[1].str(), req.get_header_value("Authorization"),
                    req.get_header_value("Content-Type"), req.body, &status, &body, &retry_after);
             res.status = status;
             if (!retry_after.empty()) res.set_header("Retry-After", retry_after);
             res.set_content(body, "application/json");
           });
  server_.start();
}

FakeTwilio::~FakeTwilio() {
  release();  // a held request is answered, so that the server's threads end
  server_.stop();
}

std::string FakeTwilio::api_base() const {
  return server_.url("");
}

void FakeTwilio::push(FakeTwilioAnswer answer) {
  std::lock_guard<std::mutex> lock(mu_);
  script_.push_back(std::move(answer));
}

std::vector<FakeTwilioRequest> FakeTwilio::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

size_t FakeTwilio::count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.size();
}

bool FakeTwilio::wait_for_requests(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

std::optional<std::chrono::steady_clock::time_point> FakeTwilio::first_after(
    std::chrono::steady_clock::time_point t) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const FakeTwilioRequest& r : requests_) {
    if (r.at >= t) return r.at;
  }
  return std::nullopt;
}

void FakeTwilio::hold() {
  std::lock_guard<std::mutex> lock(mu_);
  held_ = true;
}

void FakeTwilio::release() {
  std::lock_guard<std::mutex> lock(mu_);
  held_ = false;
  changed_.notify_all();
}

void FakeTwilio::handle(const std::string& path_account, const std::string& authorization,
                        const std::string& content_type, const std::string& body, int* status,
                        std::string* response_body, std::string* retry_after) {
  FakeTwilioRequest rec;
  rec.account_sid = path_account;
  rec.content_type = content_type;
  if (auto form = form_urldecode(body); form.ok()) rec.form = *form;
  rec.authorized = path_account == account_sid_ &&
                   authorization == "Basic " + base64_encode(account_sid_ + ":" + auth_token_);
  rec.at = std::chrono::steady_clock::now();

  std::unique_lock<std::mutex> lock(mu_);
  // Recorded before it is answered, so that a held request is seen at once.
  const size_t index = requests_.size();
  requests_.push_back(std::move(rec));
  changed_.notify_all();
  if (requests_[index].authorized && held_) {
    changed_.wait_for(lock, std::chrono::seconds(20), [this] { return !held_; });
  }
  answer(&requests_[index], status, response_body, retry_after);
}

void FakeTwilio::answer(FakeTwilioRequest* rec, int* status, std::string* response_body,
                        std::string* retry_after) {
  if (!rec->authorized) {
    *status = 401;
    *response_body = error_body(401, 20003, "Authenticate").dump();
  } else {
    FakeTwilioAnswer answer;
    if (!script_.empty()) {
      answer = script_.front();
      script_.erase(script_.begin());
    }
    *status = answer.status;
    *retry_after = answer.retry_after;
    if (answer.status >= 200 && answer.status < 300) {
      char sid[40];
      std::snprintf(sid, sizeof sid, "SM%032x", ++accepted_);
      rec->sid = sid;
      nlohmann::json ok = {{"sid", rec->sid},
                           {"account_sid", account_sid_},
                           {"status", "queued"},
                           {"direction", "outbound-api"},
                           {"api_version", "2010-04-01"},
                           {"to", rec->field("To").value_or("")},
                           {"from", rec->field("From").value_or("")},
                           {"body", rec->field("Body").value_or("")},
                           {"num_media", "0"},
                           {"error_code", nullptr},
                           {"error_message", nullptr},
                           {"price", nullptr}};
      *response_body = ok.dump();
    } else {
      // A 500 from Twilio carries no Twilio error code.
      *response_body = answer.code != 0
                           ? error_body(answer.status, answer.code, answer.message).dump()
                           : nlohmann::json{{"status", answer.status}, {"message", answer.message}}.dump();
    }
  }
  rec->status = *status;
}

}  // namespace gw::testing
