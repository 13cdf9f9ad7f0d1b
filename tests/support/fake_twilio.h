// FakeTwilio: a small local stand-in for Twilio's Messages REST API, on a real
// cpp-httplib server on 127.0.0.1 and a free port, for tests that drive the
// real TwilioSender and CurlHttpClient.
//
// It serves POST /2010-04-01/Accounts/{AccountSid}/Messages.json only. Each
// request is recorded (its form fields, whether Basic auth was right) and then
// answered:
//   - 401 {"code": 20003, ...} when the path's AccountSid or the Basic auth
//     credentials are not the ones the fake was made with (as Twilio does);
//   - otherwise the next scripted answer (push), first in first out;
//   - otherwise 201 with status "queued" and a sid "SM" + 32 hex digits that
//     count the fake's 2xx answers: SM000…001 for the first, SM000…002 next.
// While the fake is held (hold()), an authorized request is recorded at once and
// answered only after release(), as a provider slow to answer: a send in flight.
// The error bodies have Twilio's shape ({"code", "message", "more_info",
// "status"}), which prism cannot produce: the contract test checks the
// requests against Twilio's spec, this fake checks what the gateway does with
// Twilio's answers.
//
// Thread-safe; requests are handled on the server's threads. The destructor
// stops the server.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/form_encoding.h"
#include "tests/support/loopback_server.h"

namespace gw::testing {

// One scripted answer of the fake.
struct FakeTwilioAnswer {
  int status = 201;
  int code = 0;             // Twilio error code in the body of a non-2xx answer; 0 for none
  std::string message;      // Twilio's error message
  std::string retry_after;  // Retry-After header value, "" for none

  static FakeTwilioAnswer accepted();                                  // 201 with a new sid
  static FakeTwilioAnswer unsubscribed();                              // 400, 21610
  static FakeTwilioAnswer invalid_to();                                // 400, 21211
  static FakeTwilioAnswer too_many_requests(int retry_after_seconds);  // 429, 20429, Retry-After
  static FakeTwilioAnswer server_error();                              // 500, no Twilio code
};

// What the fake saw of one request, and what it answered.
struct FakeTwilioRequest {
  std::string account_sid;  // from the path
  bool authorized = false;  // path AccountSid and Basic auth matched
  std::string content_type;
  FormFields form;                           // the decoded form body (empty when it did not decode)
  int status = 0;                            // the status answered
  std::string sid;                           // the message sid answered with a 2xx, "" otherwise
  std::chrono::steady_clock::time_point at;  // when it came

  // The first value of form field `name`, or nullopt.
  std::optional<std::string> field(const std::string& name) const;
};

class FakeTwilio {
 public:
  // Starts serving at once. Throws (a test failure) when it cannot bind.
  FakeTwilio(std::string account_sid, std::string auth_token);
  ~FakeTwilio();
  FakeTwilio(const FakeTwilio&) = delete;
  FakeTwilio& operator=(const FakeTwilio&) = delete;

  // "http://127.0.0.1:<port>": the channel's api_base.
  std::string api_base() const;

  // Queues an answer for a later authorized request.
  void push(FakeTwilioAnswer answer);

  // Every request so far, oldest first. A held request is in the list (with
  // status 0 and no sid until it is answered).
  std::vector<FakeTwilioRequest> requests() const;
  size_t count() const;
  // Waits until at least `n` requests came; false when `timeout` passed first.
  bool wait_for_requests(size_t n, std::chrono::milliseconds timeout) const;
  // When the first request at or after `t` came, if one did.
  std::optional<std::chrono::steady_clock::time_point> first_after(
      std::chrono::steady_clock::time_point t) const;

  // From hold() until release(), authorized requests wait (up to 20 s each)
  // before they are answered.
  void hold();
  void release();

 private:
  void handle(const std::string& path_account, const std::string& authorization,
              const std::string& content_type, const std::string& body, int* status,
              std::string* response_body, std::string* retry_after);
  // Answers `rec` (and records the answer in it). REQUIRES: mu_ held.
  void answer(FakeTwilioRequest* rec, int* status, std::string* response_body, std::string* retry_after);

  const std::string account_sid_;
  const std::string auth_token_;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;  // a request came, or release()
  std::vector<FakeTwilioAnswer> script_;     // guarded by mu_, front first
  std::vector<FakeTwilioRequest> requests_;  // guarded by mu_
  bool held_ = false;                        // guarded by mu_
  int accepted_ = 0;                         // 2xx answers so far, guarded by mu_
  LoopbackServer server_;
};

}  // namespace gw::testing
