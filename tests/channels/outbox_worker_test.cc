#include "gateway/channels/outbox_worker.h"

#include <spdlog/sinks/ostream_sink.h>

#include <catch2/catch.hpp>
#include <deque>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gateway/core/log.h"
#include "gateway/store/sqlite/database.h"
#include "tests/store/store_fixture.h"

namespace {

using gw::SendOutcome;
using K = gw::SendOutcome::Kind;

// Records every send and answers from a script (default: accepted).
class ScriptedSender final : public gw::ChannelSender {
 public:
  explicit ScriptedSender(gw::Clock& clock) : clock_(clock) {}
  const std::string& channel_id() const override { return id_; }
  SendOutcome send(const gw::OutboxItem& item, const gw::Contact&) override {
    if (during_send) during_send();
    sent_bodies.push_back(item.body);
    sent_at.push_back(clock_.now());
    if (script.empty()) {
      SendOutcome ok;
      ok.kind = K::kAccepted;
      ok.provider_id = "SM" + std::to_string(sent_bodies.size());
      ok.segments = 1;
      return ok;
    }
    SendOutcome o = script.front();
    script.pop_front();
    return o;
  }
  std::deque<SendOutcome> script;
  std::function<void()> during_send;  // what happens elsewhere while the provider answers
  std::vector<std::string> sent_bodies;
  std::vector<gw::TimePoint> sent_at;

 private:
  gw::Clock& clock_;
  std::string id_ = "uk-sms";
};

SendOutcome outcome(K kind, std::optional<int> code = std::nullopt) {
  SendOutcome o;
  o.kind = kind;
  o.error_code = code;
  o.error = "HTTP error";
  return o;
}

struct WorkerFixture : gw::testing::StoreFixture {
  ScriptedSender sender{clock};
  gw::OutboxWorkerOptions options;
  double random = 0.5;
  std::vector<std::string> outcomes;
  std::unique_ptr<gw::OutboxWorker> worker;

  // `in_file`: the store in a file, so that refuse_writes() can reach it.
  explicit WorkerFixture(bool in_file = false) : gw::testing::StoreFixture(in_file) { rebuild(); }
  // From now on the store refuses to record an outcome of a send (an outbox item
  // leaving "sending") and to mark a contact opted out, as a full disk or a bug
  // would: triggers, set through a connection of its own.
  void refuse_writes() {
    auto db = gw::sqlite::Database::open(path);
    REQUIRE(db.ok());
    REQUIRE(
        db->exec("CREATE TRIGGER refuse_outcome BEFORE UPDATE OF state ON outbox WHEN NEW.state <> 'sending'"
                 " BEGIN SELECT RAISE(ABORT, 'refused'); END;"
                 "CREATE TRIGGER refuse_opt_out BEFORE UPDATE ON contacts WHEN NEW.opted_out = 1"
                 " BEGIN SELECT RAISE(ABORT, 'refused'); END;")
            .ok());
  }
  void rebuild() {
    gw::OutboxObserver obs;
    obs.outcome = [this](const std::string&, const std::string& o) { outcomes.push_back(o); };
    worker = std::make_unique<gw::OutboxWorker>(
        *store, clock, sender, options, [this] { return random; }, obs);
  }
  int64_t enqueue(const gw::Conversation& conv, const std::string& body) {
    auto id = store->enqueue_outbound(message(conv, body), clock.now());
    REQUIRE(id.ok());
    return *id;
  }
  std::string status_of(const gw::Conversation& conv, size_t index) {
    auto msgs = store->list_messages(conv.id);
    REQUIRE(msgs.ok());
    REQUIRE(msgs->size() > index);
    return (*msgs)[index].status;
  }
};

}  // namespace

TEST_CASE("the outbox worker sends due items, records them sent, and keeps conversation order", "[outbox]") {
  WorkerFixture f;
  f.options.max_per_second = 100;
  f.rebuild();
  auto conv = f.conversation(f.contact("+447700900123"));
  f.enqueue(conv, "one");
  f.enqueue(conv, "two");
  // Per-conversation order: one item in flight at a time, so two passes.
  REQUIRE(*f.worker->run_once() == 1);
  REQUIRE(*f.worker->run_once() == 1);
  CHECK(*f.worker->run_once() == 0);
  CHECK(f.sender.sent_bodies == std::vector<std::string>{"one", "two"});
  CHECK(f.status_of(conv, 0) == "sent");
  CHECK(*f.store->outbox_depth() == 0);
}

TEST_CASE("outbox retries a 429 with backoff and sends once", "[outbox]") {
  WorkerFixture f;
  auto conv = f.conversation(f.contact("+447700900123"));
  f.enqueue(conv, "hello");
  SendOutcome busy = outcome(K::kRetry, 20429);
  busy.retry_after = gw::Millis(5000);
  f.sender.script.push_back(busy);
  f.sender.script.push_back(outcome(K::kRetry, 500));

  REQUIRE(*f.worker->run_once() == 1);  // 429: Retry-After 5 s beats the jittered 0.5 s
  CHECK(*f.worker->run_once() == 0);
  f.clock.advance(gw::Millis(4999));
  CHECK(*f.worker->run_once() == 0);
  f.clock.advance(gw::Millis(1));
  REQUIRE(*f.worker->run_once() == 1);  // 500: attempt 2, full jitter of up to 2 s → 1 s at 0.5
  f.clock.advance(gw::Millis(999));
  CHECK(*f.worker->run_once() == 0);
  f.clock.advance(gw::Millis(1));
  REQUIRE(*f.worker->run_once() == 1);  // accepted
  CHECK(f.sender.sent_bodies.size() == 3);
  CHECK(f.status_of(conv, 0) == "sent");
  CHECK(*f.worker->run_once() == 0);
  CHECK(f.sender.sent_bodies.size() == 3);
  CHECK(f.outcomes == std::vector<std::string>{"retry", "retry"});
}

TEST_CASE("a permanent failure is not retried, and 21610 opts the contact out and stops further sends",
          "[outbox]") {
  WorkerFixture f;
  f.options.max_per_second = 100;
  f.rebuild();
  auto contact = f.contact("+447700900123");
  auto conv = f.conversation(contact);
  f.enqueue(conv, "first");
  f.enqueue(conv, "second");
  SendOutcome stop = outcome(K::kPermanent, 21610);
  stop.recipient_opted_out = true;
  f.sender.script.push_back(stop);
  REQUIRE(*f.worker->run_once() == 1);
  CHECK(f.status_of(conv, 0) == "failed");
  CHECK(f.store->get_contact(contact.id)->opted_out);
  REQUIRE(*f.worker->run_once() == 1);  // the second item is failed without a send
  CHECK(f.sender.sent_bodies.size() == 1);
  CHECK(f.status_of(conv, 1) == "failed");
  CHECK(f.outcomes == std::vector<std::string>{"failed", "opted_out"});
}

TEST_CASE("the worker gives up after the configured number of attempts", "[outbox]") {
  WorkerFixture f;
  f.options.backoff.max_attempts = 3;
  f.rebuild();
  auto conv = f.conversation(f.contact("+447700900123"));
  f.enqueue(conv, "x");
  for (int i = 0; i < 5; ++i) f.sender.script.push_back(outcome(K::kRetry, 503));
  for (int i = 0; i < 3; ++i) {
    REQUIRE(*f.worker->run_once() == 1);
    f.clock.advance(gw::Millis(600000));
  }
  CHECK(*f.worker->run_once() == 0);
  CHECK(f.sender.sent_bodies.size() == 3);
  CHECK(f.status_of(conv, 0) == "failed");
}

TEST_CASE("the channel rate limit spaces sends on the clock", "[outbox]") {
  WorkerFixture f;
  f.options.max_per_second = 1;
  f.rebuild();
  for (const char* who : {"+447700900001", "+447700900002", "+447700900003"}) {
    f.enqueue(f.conversation(f.contact(who)), "hi");
  }
  REQUIRE(*f.worker->run_once() == 3);
  REQUIRE(f.sender.sent_at.size() == 3);
  CHECK(f.sender.sent_at[1] - f.sender.sent_at[0] == gw::Millis(1000));
  CHECK(f.sender.sent_at[2] - f.sender.sent_at[1] == gw::Millis(1000));
}

TEST_CASE("a held message is recorded as held and not retried", "[outbox]") {
  WorkerFixture f;
  auto conv = f.conversation(f.contact("whatsapp:+393331234567"));
  f.enqueue(conv, "hello");
  f.sender.script.push_back(outcome(K::kHeld));
  REQUIRE(*f.worker->run_once() == 1);
  CHECK(f.status_of(conv, 0) == "held");
  f.clock.advance(gw::Millis(3600000));
  CHECK(*f.worker->run_once() == 0);
}

TEST_CASE("after an opt-out only the crisis answer is still sent, nothing else", "[outbox][crisis]") {
  // Given a contact who opted out, with a crisis answer and an ordinary reply queued:
  // the crisis answer goes (Conversations queues it only where the channel still
  // delivers), the ordinary reply is failed without a send.
  WorkerFixture f;
  f.options.max_per_second = 100;
  f.rebuild();
  auto contact = f.contact("whatsapp:+447700900123");
  contact.opted_out = true;
  REQUIRE(f.store->update_contact(contact).ok());
  auto conv = f.conversation(contact);
  gw::Message crisis = f.message(conv, "Call 112 now.");
  crisis.template_key = gw::kCrisisNumbersTemplate;
  REQUIRE(f.store->enqueue_outbound(crisis, f.clock.now()).ok());
  gw::Message other = f.message(conv, "What would you like?");
  other.template_key = "menu.ask";
  REQUIRE(f.store->enqueue_outbound(other, f.clock.now()).ok());
  REQUIRE(*f.worker->run_once() >= 1);
  while (*f.worker->run_once() > 0) {
  }
  CHECK(f.sender.sent_bodies == std::vector<std::string>{"Call 112 now."});
  CHECK(f.status_of(conv, 0) == "sent");
  CHECK(f.status_of(conv, 1) == "failed");
  CHECK(gw::sent_despite_opt_out("crisis.restart"));
  CHECK_FALSE(gw::sent_despite_opt_out("system.help"));
}

TEST_CASE("a provider's opt-out keeps the language the person chose while the message was being sent",
          "[outbox]") {
  // Given a send that takes a while, during which the person's next message sets
  // their language: the provider's opt-out (21610) is recorded, and so is the
  // language, which a write-back of the contact read before the send would undo.
  WorkerFixture f;
  auto contact = f.contact("+447700900123");
  auto conv = f.conversation(contact);
  f.enqueue(conv, "hello");
  SendOutcome stop = outcome(K::kPermanent, 21610);
  stop.recipient_opted_out = true;
  f.sender.script.push_back(stop);
  f.sender.during_send = [&] {
    auto now = f.store->get_contact(contact.id);
    REQUIRE(now.ok());
    gw::Contact changed = *now;
    changed.language = "uk";
    changed.consent = "given";
    REQUIRE(f.store->update_contact(changed).ok());
  };
  REQUIRE(*f.worker->run_once() == 1);
  auto after = f.store->get_contact(contact.id);
  REQUIRE(after.ok());
  CHECK(after->opted_out);
  CHECK(after->language == "uk");
  CHECK(after->consent == "given");
}

TEST_CASE("every outcome of a send that the store fails to record is logged, without the person's number",
          "[outbox]") {
  WorkerFixture f(/*in_file=*/true);
  f.options.max_per_second = 100;
  f.rebuild();
  // One person per case, so that no case waits behind another's item.
  auto opted_out = f.contact("+447700900101");
  opted_out.opted_out = true;
  REQUIRE(f.store->update_contact(opted_out).ok());
  f.enqueue(f.conversation(opted_out), "to someone who stopped");
  const std::vector<std::pair<SendOutcome, std::string>> cases = [] {
    SendOutcome provider_stop = outcome(K::kPermanent, 21610);
    provider_stop.recipient_opted_out = true;
    return std::vector<std::pair<SendOutcome, std::string>>{{outcome(K::kRetry, 503), "+447700900102"},
                                                            {outcome(K::kHeld), "+447700900103"},
                                                            {outcome(K::kPermanent, 21211), "+447700900104"},
                                                            {provider_stop, "+447700900105"}};
  }();
  for (const auto& [o, who] : cases) {
    f.enqueue(f.conversation(f.contact(who)), "a reply");
    f.sender.script.push_back(o);
  }
  f.refuse_writes();

  std::ostringstream captured;
  gw::log::init(gw::log::Level::kInfo, std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  const auto handled = f.worker->run_once();
  // Then the attempts of another item run out: giving up cannot be recorded either.
  f.options.backoff.max_attempts = 1;
  f.rebuild();
  f.enqueue(f.conversation(f.contact("+447700900106")), "a reply");
  f.sender.script.push_back(outcome(K::kRetry, 503));
  const auto gave_up = f.worker->run_once();
  gw::log::init(gw::log::Level::kInfo);  // back to stderr for other tests
  REQUIRE(handled.ok());
  CHECK(*handled == 5);
  REQUIRE(gave_up.ok());
  CHECK(*gave_up == 1);

  std::map<std::string, int> records;  // what could not be recorded → log lines
  std::istringstream lines(captured.str());
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line);
    if (j["event"] != "outbox.record_failed") continue;
    CHECK(j["level"] == "error");
    CHECK(j.contains("outbox_id"));
    ++records[j["record"].get<std::string>()];
  }
  CHECK(records == std::map<std::string, int>{{"failed_opted_out", 1},
                                              {"retry", 1},
                                              {"held", 1},
                                              {"failed", 2},
                                              {"contact_opted_out", 1},
                                              {"failed_gave_up", 1}});
  CHECK(captured.str().find("7700900") == std::string::npos);
}
