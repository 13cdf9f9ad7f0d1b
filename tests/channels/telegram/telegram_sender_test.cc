#include "gateway/channels/telegram/telegram_sender.h"

#include <catch2/catch.hpp>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <vector>

#include "gateway/channels/outbox_worker.h"
#include "gateway/core/curl_http_client.h"
#include "tests/store/store_fixture.h"
#include "tests/support/channel_configs.h"
#include "tests/support/fake_http_client.h"
#include "tests/support/loopback_server.h"
#include "tests/support/outbox_run.h"

namespace {

using nlohmann::json;
using Kind = gw::SendOutcome::Kind;

const std::string kToken = gw::testing::kTelegramBotToken;
const std::string kChat = "4242";

using gw::testing::telegram_channel;  // of the bot kToken

std::string ok_answer(int message_id) {
  return json{{"ok", true}, {"result", {{"message_id", message_id}, {"chat", {{"id", 4242}}}}}}.dump();
}

// Two paragraphs, 5000 characters in all: split_telegram_text cuts at the paragraph break.
std::string long_text() {
  return std::string(3500, 'a') + "\n\n" + std::string(1498, 'b');
}

struct SenderFixture {
  gw::testing::FakeHttpClient http;
  gw::TelegramSender sender{telegram_channel("http://127.0.0.1:9"), http};
  gw::Contact contact;
  int next_id = 100;

  SenderFixture() {
    // Every sendMessage is accepted with the next message_id unless a test scripts otherwise.
    http.set_handler([this](const gw::HttpRequest&) -> gw::Result<gw::HttpResponse> {
      return gw::HttpResponse{200, {}, ok_answer(next_id++)};
    });
  }
  static gw::OutboxItem item(const std::string& body, int64_t id = 1) {
    gw::OutboxItem i;
    i.id = id;
    i.message_id = id + 1000;
    i.channel_id = "tg";
    i.address = kChat;
    i.body = body;
    return i;
  }
  std::vector<std::string> texts_sent() const {
    std::vector<std::string> texts;
    for (const auto& r : http.requests()) texts.push_back(json::parse(r.body)["text"].get<std::string>());
    return texts;
  }
};

}  // namespace

TEST_CASE("a short message is one sendMessage to the person's chat, accepted with its message_id",
          "[telegram][send]") {
  SenderFixture f;
  auto out = f.sender.send(f.item("Hello"), f.contact);
  CHECK(out.kind == Kind::kAccepted);
  CHECK(out.provider_id == "100");
  CHECK(out.segments == 0);
  REQUIRE(f.http.request_count() == 1);
  auto req = f.http.last_request();
  CHECK(req.url == "http://127.0.0.1:9/bot" + kToken + "/sendMessage");
  json b = json::parse(req.body);
  CHECK(b["chat_id"] == 4242);
  CHECK(b["text"] == "Hello");
}

TEST_CASE("a 5000-character message goes out as two sendMessage calls in order and the last id is kept",
          "[telegram][send]") {
  SenderFixture f;
  const std::string text = long_text();
  auto out = f.sender.send(f.item(text), f.contact);
  CHECK(out.kind == Kind::kAccepted);
  CHECK(out.provider_id == "101");
  CHECK(out.segments == 0);
  auto texts = f.texts_sent();
  REQUIRE(texts.size() == 2);
  CHECK(texts[0] == std::string(3500, 'a'));
  CHECK(texts[1] == std::string(1498, 'b'));
  CHECK(f.sender.items_in_progress() == 0);
}

TEST_CASE("a 429 on a message gives retry_after 7 s when Telegram says retry_after 7", "[telegram][send]") {
  SenderFixture f;
  f.http.push_response(429, R"({"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7",
                                "parameters":{"retry_after":7}})");
  auto out = f.sender.send(f.item("Hello"), f.contact);
  CHECK(out.kind == Kind::kRetry);
  REQUIRE(out.retry_after);
  CHECK(*out.retry_after == gw::Millis(7000));
  CHECK(f.sender.items_in_progress() == 0);  // nothing went out: nothing to resume
}

TEST_CASE("a retry after part 1 of 3 went out resumes at part 2: the person never gets part 1 twice",
          "[telegram][send]") {
  SenderFixture f;
  const std::string text =
      std::string(4000, 'a') + "\n\n" + std::string(4000, 'b') + "\n\n" + std::string(100, 'c');
  // Part 1 accepted (the handler), part 2 hits the flood limit.
  f.http.push_response(200, ok_answer(1));
  f.http.push_response(429, R"({"ok":false,"error_code":429,"parameters":{"retry_after":3}})");
  auto first = f.sender.send(f.item(text), f.contact);
  CHECK(first.kind == Kind::kRetry);
  CHECK(*first.retry_after == gw::Millis(3000));
  CHECK(first.error.rfind("part 2 of 3: ", 0) == 0);
  CHECK(f.sender.items_in_progress() == 1);

  auto second = f.sender.send(f.item(text), f.contact);
  CHECK(second.kind == Kind::kAccepted);
  CHECK(second.provider_id == "101");  // part 3's
  auto texts = f.texts_sent();
  REQUIRE(texts.size() == 4);
  CHECK(texts[0] == std::string(4000, 'a'));
  CHECK(texts[1] == std::string(4000, 'b'));  // refused
  CHECK(texts[2] == std::string(4000, 'b'));  // resent
  CHECK(texts[3] == std::string(100, 'c'));
  CHECK(f.sender.items_in_progress() == 0);
}

TEST_CASE("progress belongs to one item: another item, or a reused id with another body, starts at part 1",
          "[telegram][send]") {
  SenderFixture f;
  const std::string text = long_text();
  f.http.push_response(200, ok_answer(1));
  f.http.push_error(gw::Error::timeout("timed out"));
  REQUIRE(f.sender.send(f.item(text, 7), f.contact).kind == Kind::kRetry);

  f.http.clear_requests();
  REQUIRE(f.sender.send(f.item(text, 8), f.contact).kind == Kind::kAccepted);
  CHECK(f.http.request_count() == 2);

  f.http.clear_requests();
  const std::string other = std::string(3500, 'x') + "\n\n" + std::string(1498, 'y');
  REQUIRE(f.sender.send(f.item(other, 7), f.contact).kind == Kind::kAccepted);
  auto texts = f.texts_sent();
  REQUIRE(texts.size() == 2);
  CHECK(texts[0] == std::string(3500, 'x'));
}

TEST_CASE("a block after part 1 fails the item for good, opts the person out, and sends no more parts",
          "[telegram][send]") {
  SenderFixture f;
  const std::string text =
      std::string(4000, 'a') + "\n\n" + std::string(4000, 'b') + "\n\n" + std::string(100, 'c');
  f.http.push_response(200, ok_answer(1));
  f.http.push_response(
      403, R"({"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"})");
  auto out = f.sender.send(f.item(text), f.contact);
  CHECK(out.kind == Kind::kPermanent);
  CHECK(out.recipient_opted_out);
  CHECK(out.error_code == 403);
  CHECK(f.http.request_count() == 2);
  CHECK(f.sender.items_in_progress() == 0);
}

TEST_CASE("an empty message is refused without calling Telegram", "[telegram][send]") {
  SenderFixture f;
  auto out = f.sender.send(f.item(" \n "), f.contact);
  CHECK(out.kind == Kind::kPermanent);
  CHECK(f.http.request_count() == 0);
}

TEST_CASE("the bot token, the chat id and the text never reach SendOutcome.error", "[telegram][send]") {
  SenderFixture f;
  const std::string text = "my passport was taken";
  // A transport error quoting the URL (a careless HttpClient), and a refusal quoting everything.
  f.http.push_error(
      gw::Error::unavailable("POST http://127.0.0.1:9/bot" + kToken + "/sendMessage: " + kToken));
  f.http.push_response(400, json{{"ok", false},
                                 {"error_code", 400},
                                 {"description", "chat " + kChat + " text " + text + " token " + kToken}}
                                .dump());
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto out = f.sender.send(f.item(text), f.contact);
    INFO(out.error);
    CHECK(out.kind != Kind::kAccepted);
    CHECK_FALSE(out.error.empty());
    CHECK(out.error.find(kToken) == std::string::npos);
    CHECK(out.error.find("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw") == std::string::npos);
    CHECK(out.error.find(kChat) == std::string::npos);
    CHECK(out.error.find(text) == std::string::npos);
  }
}

namespace {

// Plays Telegram's Bot API on loopback: accepts sendMessage for one bot token,
// records the JSON bodies, answers ok with increasing message ids, or a scripted status.
struct FakeTelegram {
  gw::testing::LoopbackServer server;
  mutable std::mutex mu;
  std::vector<json> bodies;
  std::vector<std::string> content_types;
  std::vector<std::pair<int, std::string>> script;  // answered first, in order
  int next_message_id = 501;

  FakeTelegram() {
    server.server().Post("/bot" + kToken + "/sendMessage",
                         [this](const httplib::Request& req, httplib::Response& res) {
                           std::lock_guard<std::mutex> lock(mu);
                           bodies.push_back(json::parse(req.body, nullptr, false));
                           content_types.push_back(req.get_header_value("Content-Type"));
                           if (!script.empty()) {
                             res.status = script.front().first;
                             res.set_content(script.front().second, "application/json");
                             script.erase(script.begin());
                             return;
                           }
                           res.set_content(ok_answer(next_message_id++), "application/json");
                         });
    server.start();
  }
  std::string api_base() const { return server.url(""); }
  std::vector<json> received() const {
    std::lock_guard<std::mutex> lock(mu);
    return bodies;
  }
};

struct LoopbackFixture : gw::testing::StoreFixture {
  FakeTelegram telegram;
  gw::CurlHttpClient http;
  std::unique_ptr<gw::TelegramSender> sender;
  std::unique_ptr<gw::OutboxWorker> worker;

  LoopbackFixture() {
    sender = std::make_unique<gw::TelegramSender>(telegram_channel(telegram.api_base()), http);
    gw::OutboxWorkerOptions options;
    options.max_per_second = 30;
    worker = std::make_unique<gw::OutboxWorker>(*store, clock, *sender, options, [] { return 0.5; });
  }
  gw::Conversation person() { return conversation(contact(kChat, "tg")); }
  int pass() { return gw::testing::run_pass(*worker); }
  gw::Message message_at(const gw::Conversation& conv, size_t index) {
    return gw::testing::message_at(*store, conv, index);
  }
};

}  // namespace

TEST_CASE("end to end on loopback: an enqueued reply reaches the fake Telegram and is recorded sent",
          "[telegram][send][loopback]") {
  LoopbackFixture f;
  auto conv = f.person();
  REQUIRE(f.store->enqueue_outbound(f.message(conv, "Вас вітає гаряча лінія."), f.clock.now()).ok());
  REQUIRE(f.pass() == 1);

  auto bodies = f.telegram.received();
  REQUIRE(bodies.size() == 1);
  CHECK(bodies[0]["chat_id"] == 4242);
  CHECK(bodies[0]["text"] == "Вас вітає гаряча лінія.");
  CHECK(bodies[0]["link_preview_options"]["is_disabled"] == true);
  CHECK(f.telegram.content_types[0] == "application/json");

  const gw::Message m = f.message_at(conv, 0);
  CHECK(m.status == "sent");
  CHECK(m.provider_id == "501");
  CHECK(m.segments == 0);
  CHECK(*f.store->outbox_depth() == 0);
}

TEST_CASE("end to end on loopback: a long reply is two messages, and a block opts the person out",
          "[telegram][send][loopback]") {
  LoopbackFixture f;
  auto person = f.contact(kChat, "tg");
  auto conv = f.conversation(person);
  REQUIRE(f.store->enqueue_outbound(f.message(conv, long_text()), f.clock.now()).ok());
  REQUIRE(f.store->enqueue_outbound(f.message(conv, "second"), f.clock.now()).ok());
  REQUIRE(f.store->enqueue_outbound(f.message(conv, "third"), f.clock.now()).ok());

  REQUIRE(f.pass() == 1);  // one item in flight per conversation
  auto bodies = f.telegram.received();
  REQUIRE(bodies.size() == 2);
  CHECK(bodies[0]["text"] == std::string(3500, 'a'));
  CHECK(bodies[1]["text"] == std::string(1498, 'b'));
  CHECK(f.message_at(conv, 0).provider_id == "502");

  {
    std::lock_guard<std::mutex> lock(f.telegram.mu);
    f.telegram.script.emplace_back(
        403, R"({"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"})");
  }
  REQUIRE(f.pass() == 1);
  CHECK(f.message_at(conv, 1).status == "failed");
  CHECK(f.message_at(conv, 1).error_code == 403);
  auto c = f.store->get_contact(person.id);
  REQUIRE(c.ok());
  CHECK(c->opted_out);

  f.pass();
  CHECK(f.message_at(conv, 2).status == "failed");
  CHECK(f.telegram.received().size() == 3);  // "third" never went out
}
