// The store is not held while a flow is stepped: the engine runs, and its
// replies are rendered, before the transaction that writes what they come to,
// so that status callbacks, the console, /readyz and the senders never wait
// behind a flow. A Store that counts the transactions in progress and a
// Lexicon that looks at that count whenever the engine asks it for words.
#include <atomic>
#include <catch2/catch.hpp>
#include <utility>

#include "gateway/content/content_set.h"
#include "gateway/content/flow_files.h"
#include "gateway/conversations/conversations.h"
#include "gateway/content/renderer_lexicon.h"
#include "gateway/store/intake.h"
#include "tests/store/store_fixture.h"
#include "tests/support/inbound_sms.h"

namespace {

using namespace gw;  // the Store interface's own types, as store.h spells them

// Forwards every call to `inner`; counts the transaction bodies running.
class CountingStore final : public gw::Store {
 public:
  explicit CountingStore(gw::Store& inner) : inner_(inner) {}
  int active() const { return active_.load(); }

  // Runs `hook` at the start of the next transaction that is not nested, as
  // another writer (the console, a sender) would between a read and a write.
  void before_next_transaction(std::function<void()> hook) { hook_ = std::move(hook); }

  gw::Status in_transaction(const std::function<gw::Status()>& body) override {
    if (hook_ && active_.load() == 0) std::exchange(hook_, nullptr)();
    return inner_.in_transaction([&]() -> gw::Status {
      ++active_;
      gw::Status s = body();
      --active_;
      return s;
    });
  }
  Result<Contact> upsert_contact(const std::string& channel_id, const std::string& address,
                                 TimePoint now) override {
    return inner_.upsert_contact(channel_id, address, now);
  }
  Result<std::optional<Contact>> find_contact(const std::string& channel_id,
                                              const std::string& address) override {
    return inner_.find_contact(channel_id, address);
  }
  Result<Contact> get_contact(int64_t id) override { return inner_.get_contact(id); }
  Status update_contact(const Contact& c) override { return inner_.update_contact(c); }
  Status mark_contact_opted_out(int64_t id, TimePoint now) override {
    return inner_.mark_contact_opted_out(id, now);
  }
  Result<Conversation> open_or_get_conversation(int64_t contact_id, const std::string& channel_id,
                                                TimePoint now) override {
    return inner_.open_or_get_conversation(contact_id, channel_id, now);
  }
  Status set_conversation_state(int64_t conversation_id, const std::string& state, TimePoint now) override {
    return inner_.set_conversation_state(conversation_id, state, now);
  }
  Result<Conversation> get_conversation(int64_t conversation_id) override {
    return inner_.get_conversation(conversation_id);
  }
  Status set_conversation_stats(int64_t conversation_id, const std::string& country,
                                const std::string& language) override {
    return inner_.set_conversation_stats(conversation_id, country, language);
  }
  Status save_session(int64_t contact_id, const std::string& state_json, TimePoint expires_at,
                      TimePoint now) override {
    return inner_.save_session(contact_id, state_json, expires_at, now);
  }
  Result<std::optional<std::string>> load_session(int64_t contact_id, TimePoint now) override {
    return inner_.load_session(contact_id, now);
  }
  Status delete_session(int64_t contact_id) override { return inner_.delete_session(contact_id); }
  Result<InsertedMessage> insert_inbound(const Message& msg) override { return inner_.insert_inbound(msg); }
  Result<int64_t> enqueue_outbound(const Message& msg, TimePoint not_before) override {
    return inner_.enqueue_outbound(msg, not_before);
  }
  Result<std::vector<Message>> list_messages(int64_t conversation_id) override {
    return inner_.list_messages(conversation_id);
  }
  Status update_message_status(const std::string& channel_id, const std::string& provider_id,
                               const std::string& status, std::optional<int> error_code,
                               TimePoint now) override {
    return inner_.update_message_status(channel_id, provider_id, status, error_code, now);
  }
  Result<std::vector<OutboxItem>> claim_due_outbox(const std::string& channel_id, TimePoint now, int limit,
                                                   std::chrono::milliseconds lease) override {
    return inner_.claim_due_outbox(channel_id, now, limit, lease);
  }
  Status mark_outbox_sent(int64_t outbox_id, const std::string& provider_id, int segments,
                          TimePoint now) override {
    return inner_.mark_outbox_sent(outbox_id, provider_id, segments, now);
  }
  Status mark_outbox_retry(int64_t outbox_id, TimePoint next_attempt_at, const std::string& error,
                           TimePoint now) override {
    return inner_.mark_outbox_retry(outbox_id, next_attempt_at, error, now);
  }
  Status mark_outbox_failed(int64_t outbox_id, std::optional<int> error_code, const std::string& error,
                            TimePoint now) override {
    return inner_.mark_outbox_failed(outbox_id, error_code, error, now);
  }
  Status mark_outbox_held(int64_t outbox_id, const std::string& reason, TimePoint now) override {
    return inner_.mark_outbox_held(outbox_id, reason, now);
  }
  Status release_outbox(int64_t outbox_id, TimePoint now) override {
    return inner_.release_outbox(outbox_id, now);
  }
  Result<int64_t> end_leases_of_previous_process(TimePoint now) override {
    return inner_.end_leases_of_previous_process(now);
  }
  Result<int64_t> outbox_depth() override { return inner_.outbox_depth(); }
  Result<int64_t> create_handover(const Handover& h) override { return inner_.create_handover(h); }
  Result<std::optional<Handover>> active_handover(int64_t conversation_id) override {
    return inner_.active_handover(conversation_id);
  }
  Status update_handover(const Handover& h) override { return inner_.update_handover(h); }
  Result<std::vector<Handover>> list_open_handovers() override { return inner_.list_open_handovers(); }
  Result<Handover> get_handover(int64_t id) override { return inner_.get_handover(id); }
  Result<bool> assign_handover(int64_t id, int64_t operator_id, TimePoint now, bool force) override {
    return inner_.assign_handover(id, operator_id, now, force);
  }
  Status transfer_handover(int64_t id, const std::string& queue, std::optional<int64_t> operator_id,
                           TimePoint now) override {
    return inner_.transfer_handover(id, queue, operator_id, now);
  }
  Status close_handover(int64_t id, int64_t by, TimePoint now) override {
    return inner_.close_handover(id, by, now);
  }
  Result<bool> set_first_response(int64_t id, TimePoint now) override {
    return inner_.set_first_response(id, now);
  }
  Status set_reassured(int64_t id, TimePoint now) override { return inner_.set_reassured(id, now); }
  Result<int64_t> add_note(int64_t conversation_id, int64_t contact_id, std::optional<int64_t> account_id,
                           const std::string& body, TimePoint now) override {
    return inner_.add_note(conversation_id, contact_id, account_id, body, now);
  }
  Result<std::vector<Note>> list_notes(int64_t conversation_id) override {
    return inner_.list_notes(conversation_id);
  }
  Result<int64_t> create_account(const Account& a) override { return inner_.create_account(a); }
  Result<std::optional<Account>> find_account(const std::string& username) override {
    return inner_.find_account(username);
  }
  Result<std::optional<Account>> get_account(int64_t id) override { return inner_.get_account(id); }
  Result<std::vector<Account>> list_accounts() override { return inner_.list_accounts(); }
  Result<int64_t> count_accounts() override { return inner_.count_accounts(); }
  Status update_account(const Account& a) override { return inner_.update_account(a); }
  Status append_audit(const AuditEntry& e) override { return inner_.append_audit(e); }
  Result<std::vector<AuditEntry>> list_audit(int limit) override { return inner_.list_audit(limit); }
  Status erase_contact(int64_t contact_id) override { return inner_.erase_contact(contact_id); }
  Status erase_contact_after_outbox(int64_t contact_id) override {
    return inner_.erase_contact_after_outbox(contact_id);
  }
  Result<int> erase_idle_contacts(TimePoint unconsented_before, TimePoint consented_before) override {
    return inner_.erase_idle_contacts(unconsented_before, consented_before);
  }
  Result<std::vector<HandoverTimes>> recent_handover_times(int limit) override {
    return inner_.recent_handover_times(limit);
  }
  Status add_stats(const std::vector<StatCount>& changes) override { return inner_.add_stats(changes); }
  Result<std::vector<StatCount>> read_stats(const std::string& from_week, const std::string& to_week) override {
    return inner_.read_stats(from_week, to_week);
  }
  Status ping() override { return inner_.ping(); }
  Status close() override { return inner_.close(); }

 private:
  gw::Store& inner_;
  std::atomic<int> active_{0};
  std::function<void()> hook_;
};

// The engine's words, and whether a store transaction was running each time it asked.
class WatchingLexicon final : public gw::Lexicon {
 public:
  WatchingLexicon(const gw::Lexicon& inner, const CountingStore& store) : inner_(inner), store_(store) {}
  std::vector<std::string> keywords(const std::string& key, const std::string& lang) const override {
    ++asked;
    if (store_.active() > 0) ++asked_inside;
    return inner_.keywords(key, lang);
  }
  mutable int asked = 0;
  mutable int asked_inside = 0;

 private:
  const gw::Lexicon& inner_;
  const CountingStore& store_;
};

struct Watched : gw::testing::StoreFixture {
  Watched() : StoreFixture(false) {
    bot.set_helpdesk(gw::HelpdeskLink{&helpdesk, nullptr});
    bot.set_intake(intake.get(), nullptr);
  }
  static std::unique_ptr<gw::Intake> open_intake(const gw::Crypto& crypto, gw::Clock& clock) {
    auto r = gw::open_sqlite_intake(":memory:", crypto, clock);
    REQUIRE(r.ok());
    return std::move(*r);
  }
  CountingStore counting{*store};
  gw::TemplateCatalog catalog = *gw::TemplateCatalog::load(std::string(GATEWAY_SOURCE_DIR) + "/templates");
  gw::Renderer renderer{*gw::load_content(GATEWAY_SOURCE_DIR)};
  gw::FlowSet flows = *gw::load_flows(std::string(GATEWAY_SOURCE_DIR) + "/flows");
  gw::RendererLexicon words{renderer};
  WatchingLexicon lexicon{words, counting};
  gw::Engine engine{lexicon};
  gw::HelpdeskConfig helpdesk;
  std::unique_ptr<gw::Intake> intake = open_intake(crypto, clock);
  gw::Conversations bot{counting, clock, catalog, nullptr, gw::Bot{&flows, &renderer, &engine}};
  gw::testing::InboundSms sms;
};

}  // namespace

TEST_CASE("receive steps the flow and renders its replies outside the store's transaction",
          "[conversations][store]") {
  Watched f;
  // Language, consent, the menu, "talk to a person", 18 or over: a handover.
  for (const char* line : {"hello", "1", "1", "3", "2"}) {
    auto r = f.bot.receive(f.sms(line));
    REQUIRE(r.ok());
    CHECK(r->queued >= 1);
  }
  CHECK(f.lexicon.asked > 0);
  CHECK(f.lexicon.asked_inside == 0);
  auto c = f.store->find_contact("uk-sms", "+447700900123");
  REQUIRE(c.ok());
  auto conv = f.store->open_or_get_conversation((*c)->id, "uk-sms", f.clock.now());
  CHECK(conv->state == "waiting");
}

TEST_CASE(
    "the intake's batches step the flows outside the store's transaction, each person's messages in order",
    "[conversations][store][intake]") {
  Watched f;
  for (const char* line : {"hello", "1", "1"}) REQUIRE(f.bot.accept(f.sms(line)).ok());
  REQUIRE(f.bot.accept(f.sms("hello", "+447700900999")).ok());
  auto batch = f.bot.handle_queued(32);
  REQUIRE(batch.ok());
  CHECK(batch->handled.size() == 4);
  CHECK(f.lexicon.asked > 0);
  CHECK(f.lexicon.asked_inside == 0);
  // Each message saw what the one before it wrote: English, then consent given.
  auto c = f.store->find_contact("uk-sms", "+447700900123");
  REQUIRE(c.ok());
  CHECK((*c)->language == "en");
  CHECK((*c)->consent == "given");
}

TEST_CASE(
    "a STOP stored by another writer between the read and the write is honoured: the message is decided "
    "again",
    "[conversations][store]") {
  Watched f;
  auto first = f.bot.receive(f.sms("hello"));
  REQUIRE(first.ok());
  const int64_t contact = first->contact_id;
  // The next receive reads the person (one transaction), decides, then writes
  // (another): the opt-out lands in between.
  int transactions = 0;
  f.counting.before_next_transaction([&] {
    ++transactions;  // the read
    f.counting.before_next_transaction([&] {
      ++transactions;  // the write: another writer's opt-out comes just before it
      REQUIRE(f.store->mark_contact_opted_out(contact, f.clock.now()).ok());
    });
  });
  auto r = f.bot.receive(f.sms("1"));
  REQUIRE(r.ok());
  CHECK(transactions == 2);
  CHECK(r->action == "none");
  CHECK(r->queued == 0);
  CHECK(f.store->get_contact(contact)->opted_out);  // not written back as it was read
}
