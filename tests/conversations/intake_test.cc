// Conversations and the intake: accept() stores a webhook's message in the
// intake; handle_queued() hands what is queued to the conversations, in order,
// once, and leaves a message that fails to be tried again later.
#include "gateway/store/intake.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "gateway/conversations/conversations.h"
#include "gateway/store/sqlite/database.h"
#include "tests/store/store_fixture.h"
#include "tests/support/inbound_sms.h"

using gw::ErrorCode;
using namespace std::chrono_literals;

namespace {

const std::string kPerson = "+447700900123";

// An in-memory store, an intake (in memory, or in a file for tests that open it
// twice) and Conversations without flows: a message that is no keyword gets
// the system.welcome reply.
struct IntakeConvFixture : gw::testing::StoreFixture {
  gw::TemplateCatalog catalog = *gw::TemplateCatalog::load(std::string(GATEWAY_SOURCE_DIR) + "/templates");
  std::vector<std::string> woken;
  gw::Conversations conversations{*store, clock, catalog,
                                  [this](const std::string& ch) { woken.push_back(ch); }};
  std::string intake_path = ":memory:";
  std::unique_ptr<gw::Intake> intake;
  int ready = 0;
  gw::testing::InboundSms sms;  // sms("text"), sms("text", from)

  // `store_in_file`: the store in a file, so that refuse() can reach it.
  explicit IntakeConvFixture(bool intake_in_file = false, bool connect = true, bool store_in_file = false)
      : gw::testing::StoreFixture(store_in_file) {
    if (intake_in_file) intake_path = (dir.path() / "data" / "gateway-intake.db").string();
    intake = open_intake(crypto);
    if (connect) conversations.set_intake(intake.get(), [this] { ++ready; });
  }

  std::unique_ptr<gw::Intake> open_intake(const gw::Crypto& with) {
    auto r = gw::open_sqlite_intake(intake_path, with, clock);
    REQUIRE(r.ok());
    return std::move(*r);
  }

  // Makes the store refuse the inbound message with `provider_id` — a trigger,
  // set through a connection of its own — as a bug or bad data would: its
  // handling fails, nothing else does. REQUIRES: the store is in a file.
  void refuse(const std::string& provider_id) {
    REQUIRE(path != ":memory:");
    auto db = gw::sqlite::Database::open(path);
    REQUIRE(db.ok());
    const std::string sql =
        "CREATE TRIGGER refuse_inbound BEFORE INSERT ON messages WHEN NEW.provider_id = '" + provider_id +
        "' BEGIN SELECT RAISE(ABORT, 'refused'); END;";
    REQUIRE(db->exec(sql.c_str()).ok());
  }
  void stop_refusing() {
    auto db = gw::sqlite::Database::open(path);
    REQUIRE(db.ok());
    REQUIRE(db->exec("DROP TRIGGER refuse_inbound").ok());
  }
  int64_t dead_letters() {
    auto n = intake->dead_letter_count();
    REQUIRE(n.ok());
    return *n;
  }

  void accept(const gw::InboundMessage& m) {
    gw::Status s = conversations.accept(m);
    REQUIRE(s.ok());
  }
  gw::IntakeBatch handle(int limit = 32) {
    auto r = conversations.handle_queued(limit);
    REQUIRE(r.ok());
    return *r;
  }
  int64_t depth() {
    auto d = intake->depth();
    REQUIRE(d.ok());
    return *d;
  }
  std::vector<gw::QueuedInbound> due(gw::TimePoint at) {
    auto r = intake->due(at, 100);
    REQUIRE(r.ok());
    return *r;
  }
  std::vector<gw::Message> messages(const std::string& from = kPerson, const std::string& direction = "") {
    auto c = store->find_contact("uk-sms", from);
    REQUIRE(c.ok());
    if (!c->has_value()) return {};
    auto conv = store->open_or_get_conversation((*c)->id, "uk-sms", clock.now());
    REQUIRE(conv.ok());
    auto all = store->list_messages(conv->id);
    REQUIRE(all.ok());
    std::vector<gw::Message> out;
    for (auto& m : *all) {
      if (direction.empty() || m.direction == direction) out.push_back(m);
    }
    return out;
  }
  std::vector<std::string> bodies(const std::vector<gw::Message>& msgs) {
    std::vector<std::string> out;
    for (const auto& m : msgs) out.push_back(m.body);
    return out;
  }
};

}  // namespace

TEST_CASE("accept needs an intake and a provider id", "[intake][conversations]") {
  SECTION("without an intake") {
    IntakeConvFixture f(/*intake_in_file=*/false, /*connect=*/false);
    auto r = f.conversations.accept(f.sms("hello"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kUnavailable);
    CHECK(f.depth() == 0);
  }
  SECTION("without a provider id") {
    IntakeConvFixture f;
    auto m = f.sms("hello");
    m.provider_id.clear();
    auto r = f.conversations.accept(m);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kInvalidArgument);
    CHECK(r.error().message.find(kPerson) == std::string::npos);
    CHECK(f.depth() == 0);
    CHECK(f.ready == 0);
  }
  SECTION("handle_queued without an intake") {
    IntakeConvFixture f(/*intake_in_file=*/false, /*connect=*/false);
    auto r = f.conversations.handle_queued(10);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::kUnavailable);
  }
}

TEST_CASE("accept queues a message without handling it and signals every one it stored, a retry too",
          "[intake][conversations]") {
  IntakeConvFixture f;
  auto m = f.sms("hello");
  f.accept(m);
  CHECK(f.ready == 1);
  f.clock.advance(1ms);
  f.accept(m);  // the provider's retry while it is queued: stored again
  CHECK(f.ready == 2);
  CHECK(f.depth() == 2);
  // Nothing reached the conversation yet.
  CHECK(f.messages().empty());
  CHECK(*f.store->outbox_depth() == 0);
  CHECK(f.woken.empty());

  // Handled, the retry is recognised by its provider id: not stored, not answered again.
  auto batch = f.handle();
  CHECK(batch.deferred == 0);
  REQUIRE(batch.handled.size() == 2);
  CHECK_FALSE(batch.handled[0].result.duplicate);
  CHECK(batch.handled[0].result.queued == 1);
  CHECK(batch.handled[1].result.duplicate);
  CHECK(batch.handled[1].result.queued == 0);
  CHECK(batch.handled[1].result.message_id == batch.handled[0].result.message_id);
  CHECK(f.depth() == 0);
  CHECK(f.bodies(f.messages(kPerson, "in")) == std::vector<std::string>{"hello"});
  CHECK(f.messages(kPerson, "out").size() == 1);
  CHECK(*f.store->outbox_depth() == 1);
  CHECK(f.woken.size() == 1);

  // An accept that fails to store signals nothing.
  REQUIRE(f.intake->close().ok());
  gw::Status failed = f.conversations.accept(f.sms("hello again"));
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == ErrorCode::kUnavailable);
  CHECK(f.ready == 2);
}

TEST_CASE("handle_queued handles a person's messages in the order they arrived and empties the intake",
          "[intake][conversations]") {
  IntakeConvFixture f;
  for (const char* body : {"first", "second", "third"}) {
    f.accept(f.sms(body));
    f.clock.advance(1ms);
  }
  f.accept(f.sms("someone else", "+447700900999"));

  auto batch = f.handle(2);
  CHECK(batch.more);  // full: more may be due
  CHECK(batch.deferred == 0);
  REQUIRE(batch.handled.size() == 2);
  for (const auto& h : batch.handled) {
    CHECK(h.channel_id == "uk-sms");
    CHECK_FALSE(h.result.duplicate);
    CHECK(h.result.action == "reply");
    CHECK(h.result.queued == 1);
  }
  CHECK(f.depth() == 2);
  CHECK(f.woken == std::vector<std::string>{"uk-sms", "uk-sms"});

  auto rest = f.handle(10);
  CHECK_FALSE(rest.more);
  CHECK(rest.handled.size() == 2);
  CHECK(f.depth() == 0);

  CHECK(f.bodies(f.messages(kPerson, "in")) == std::vector<std::string>{"first", "second", "third"});
  auto out = f.messages(kPerson, "out");
  REQUIRE(out.size() == 3);
  for (const auto& m : out) CHECK(m.body == f.catalog.text("system.welcome"));
  CHECK(f.bodies(f.messages("+447700900999", "in")) == std::vector<std::string>{"someone else"});
  CHECK(*f.store->outbox_depth() == 4);

  auto empty = f.handle(10);
  CHECK(empty.handled.empty());
  CHECK_FALSE(empty.more);
}

TEST_CASE("a queued message that cannot be handled is deferred alone, after 1 s then 2 s",
          "[intake][conversations]") {
  IntakeConvFixture f;
  f.accept(f.sms("before"));
  // Not an inbound message at all: it cannot be read back.
  auto bad = f.intake->queue("uk-sms", "SMbad", "+447700900999", "{not json", f.clock.now());
  REQUIRE(bad.ok());
  f.accept(f.sms("after"));
  const gw::TimePoint t0 = f.clock.now();

  auto batch = f.handle();
  CHECK(batch.deferred == 1);
  REQUIRE(batch.handled.size() == 2);
  CHECK(f.bodies(f.messages(kPerson, "in")) == std::vector<std::string>{"before", "after"});
  CHECK(f.messages(kPerson, "out").size() == 2);
  CHECK(f.depth() == 1);

  CHECK(f.due(t0 + 999ms).empty());
  auto again = f.due(t0 + 1s);
  REQUIRE(again.size() == 1);
  CHECK(again[0].provider_id == "SMbad");
  CHECK(again[0].attempts == 1);
  CHECK(f.handle().handled.empty());  // not due yet

  f.clock.advance(1s);
  const gw::TimePoint t1 = f.clock.now();
  auto second = f.handle();
  CHECK(second.deferred == 1);
  CHECK(second.handled.empty());
  CHECK(f.due(t1 + 2s - 1ms).empty());
  auto third = f.due(t1 + 2s);
  REQUIRE(third.size() == 1);
  CHECK(third[0].attempts == 2);
  CHECK(f.depth() == 1);
  CHECK(f.messages(kPerson, "in").size() == 2);
}

TEST_CASE("a queued message sealed with other keys is deferred while the rest of its batch is handled",
          "[intake][conversations]") {
  IntakeConvFixture f(/*intake_in_file=*/true);
  {
    // Another intake on the same file, with keys of its own.
    auto other = f.open_intake(gw::testing::make_test_crypto());
    auto m = f.sms("sealed elsewhere");
    auto q = other->queue(m.channel_id, m.provider_id, m.from, gw::serialize_inbound(m), f.clock.now());
    REQUIRE(q.ok());
    REQUIRE(other->close().ok());
  }
  f.accept(f.sms("readable"));
  const gw::TimePoint t0 = f.clock.now();

  auto batch = f.handle();
  CHECK(batch.deferred == 1);
  REQUIRE(batch.handled.size() == 1);
  CHECK(f.bodies(f.messages(kPerson, "in")) == std::vector<std::string>{"readable"});
  CHECK(f.depth() == 1);
  CHECK(f.due(t0 + 999ms).empty());
  auto later = f.due(t0 + 1s);
  REQUIRE(later.size() == 1);
  CHECK(later[0].attempts == 1);
}

TEST_CASE("a message handed over again after the store committed is recognised and not answered twice",
          "[intake][conversations]") {
  // As after a crash between the Store's commit and Intake::finish: the very
  // same message is in the intake again.
  IntakeConvFixture f;
  auto m = f.sms("hello");
  f.accept(m);
  auto first = f.handle();
  REQUIRE(first.handled.size() == 1);
  CHECK_FALSE(first.handled[0].result.duplicate);
  CHECK(f.depth() == 0);

  auto requeued =
      f.intake->queue(m.channel_id, m.provider_id, m.from, gw::serialize_inbound(m), f.clock.now());
  REQUIRE(requeued.ok());
  auto second = f.handle();
  REQUIRE(second.handled.size() == 1);
  CHECK(second.handled[0].result.duplicate);
  CHECK(second.handled[0].result.queued == 0);
  CHECK(second.handled[0].result.message_id == first.handled[0].result.message_id);
  CHECK(second.deferred == 0);
  CHECK(f.depth() == 0);
  CHECK(f.messages(kPerson, "in").size() == 1);
  CHECK(f.messages(kPerson, "out").size() == 1);
  CHECK(*f.store->outbox_depth() == 1);
  CHECK(f.woken.size() == 1);
}

TEST_CASE("when the store cannot write, handle_queued fails and the messages stay queued as they were",
          "[intake][conversations]") {
  IntakeConvFixture f;
  f.accept(f.sms("one"));
  f.accept(f.sms("two"));
  REQUIRE(f.store->close().ok());
  auto r = f.conversations.handle_queued(10);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::kUnavailable);
  CHECK(f.depth() == 2);
  // Not deferred: still due now, with no failed attempt counted.
  auto due = f.due(f.clock.now());
  REQUIRE(due.size() == 2);
  CHECK(due[0].attempts == 0);
  CHECK(due[1].attempts == 0);
  CHECK(f.woken.empty());
}

TEST_CASE("STOP through the intake opts the person out and nothing more is sent", "[intake][conversations]") {
  IntakeConvFixture f;
  f.accept(f.sms("hi"));
  REQUIRE(f.handle().handled.size() == 1);
  REQUIRE(f.messages(kPerson, "out").size() == 1);

  f.accept(f.sms("Stop"));
  auto stop = f.handle();
  REQUIRE(stop.handled.size() == 1);
  CHECK(stop.handled[0].result.action == "opt_out");
  auto contact = f.store->get_contact(stop.handled[0].result.contact_id);
  REQUIRE(contact.ok());
  CHECK(contact->opted_out);

  f.accept(f.sms("are you there?"));
  f.accept(f.sms("HELP"));
  auto after = f.handle();
  CHECK(after.handled.size() == 2);
  CHECK(f.messages(kPerson, "out").size() == 1);
  CHECK(f.bodies(f.messages(kPerson, "in")) ==
        std::vector<std::string>{"hi", "Stop", "are you there?", "HELP"});
}

TEST_CASE("a message whose text is not valid UTF-8 is accepted into the intake and handled",
          "[intake][conversations]") {
  // receive() stores such a body as it is; accept() must not fail (or throw) on
  // it, or the provider's every retry is refused the same way.
  IntakeConvFixture f;
  auto m = f.sms("caf\xE9");
  gw::Status r = gw::Error::internal("not called");
  REQUIRE_NOTHROW(r = f.conversations.accept(m));
  REQUIRE(r.ok());
  CHECK(f.depth() == 1);
  auto batch = f.handle();
  CHECK(batch.handled.size() == 1);
  CHECK(f.messages(kPerson, "in").size() == 1);
}

TEST_CASE("a person's later messages wait behind their message that failed and follow it in order",
          "[intake][conversations]") {
  IntakeConvFixture f(/*intake_in_file=*/false, /*connect=*/true, /*store_in_file=*/true);
  const std::string other = "+447700900999";
  auto first = f.sms("first");
  f.refuse(first.provider_id);
  f.accept(first);
  f.accept(f.sms("second"));
  f.accept(f.sms("from someone else", other));
  f.accept(f.sms("third"));

  auto batch = f.handle();
  CHECK(batch.deferred == 1);
  CHECK(batch.held == 2);
  REQUIRE(batch.handled.size() == 1);  // only the other person's
  CHECK(f.messages(kPerson).empty());
  CHECK(f.bodies(f.messages(other, "in")) == std::vector<std::string>{"from someone else"});
  CHECK(f.depth() == 3);

  // Due again after 1 s; it fails again, and the person's later messages still wait.
  f.clock.advance(1s);
  auto again = f.handle();
  CHECK(again.deferred == 1);
  CHECK(again.handled.empty());
  CHECK(f.messages(kPerson).empty());

  // Once it can be handled, the person's messages go through in the order they came.
  f.stop_refusing();
  f.clock.advance(2s);
  auto through = f.handle();
  CHECK(through.deferred == 0);
  CHECK(through.handled.size() == 3);
  CHECK(f.bodies(f.messages(kPerson, "in")) == std::vector<std::string>{"first", "second", "third"});
  CHECK(f.messages(kPerson, "out").size() == 3);
  CHECK(f.depth() == 0);
}

TEST_CASE(
    "a message that fails every allowed attempt becomes a dead letter, is never dropped, and does not "
    "silence the person: their later messages are handled",
    "[intake][conversations]") {
  IntakeConvFixture f(/*intake_in_file=*/false, /*connect=*/false, /*store_in_file=*/true);
  gw::BackoffPolicy retry = gw::kIntakeRetry;
  retry.max_attempts = 3;
  f.conversations.set_intake(
      f.intake.get(), [&f] { ++f.ready; }, retry);
  auto first = f.sms("first");
  f.refuse(first.provider_id);
  f.accept(first);
  f.accept(f.sms("second"));

  // Tried at 0 s, 1 s and 3 s (backoff 1 s, 2 s), then it is a dead letter.
  CHECK(f.handle().deferred == 1);
  f.clock.advance(1s);
  CHECK(f.handle().deferred == 1);
  f.clock.advance(1999ms);
  CHECK(f.handle().deferred == 0);  // not due yet
  f.clock.advance(1ms);
  auto last = f.handle();
  CHECK(last.deferred == 1);
  CHECK(last.dead_lettered == 1);
  CHECK(f.dead_letters() == 1);

  // Set aside, it holds nothing back: the person's next message is answered.
  f.handle();
  CHECK(f.bodies(f.messages(kPerson, "in")) == std::vector<std::string>{"second"});
  CHECK(f.messages(kPerson, "out").size() == 1);
  CHECK(f.depth() == 0);

  // No more attempts of the dead letter, however long it waits.
  f.clock.advance(24h);
  auto idle = f.handle();
  CHECK(idle.deferred == 0);
  CHECK(idle.handled.empty());
  auto dead = f.intake->dead_letters(10);
  REQUIRE(dead.ok());
  REQUIRE(dead->size() == 1);
  CHECK((*dead)[0].attempts == 3);
  CHECK((*dead)[0].error_kind == "invalid_argument");

  // Retried once the cause is gone: it is handled too.
  f.stop_refusing();
  REQUIRE(f.intake->retry_dead_letter((*dead)[0].id, f.clock.now()).ok());
  auto through = f.handle();
  CHECK(through.handled.size() == 1);
  CHECK(f.bodies(f.messages(kPerson, "in")) == std::vector<std::string>{"second", "first"});
  CHECK(f.dead_letters() == 0);
  CHECK(f.depth() == 0);
}
