// HelpdeskFixture: a store, small flows of the test's own (a menu that hands
// over to the general or the urgent queue, and the erase keyword), the
// conversations linked to the helpdesk, and the helpdesk itself with an event
// bus and a metrics registry. say() is a person texting in.
#pragma once

#include <catch2/catch.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "gateway/content/content_set.h"
#include "gateway/content/flow_files.h"
#include "gateway/conversations/conversations.h"
#include "gateway/content/renderer_lexicon.h"
#include "gateway/core/metrics.h"
#include "gateway/helpdesk/events.h"
#include "gateway/helpdesk/helpdesk.h"
#include "gateway/helpdesk/helpdesk_metrics.h"
#include "gateway/helpdesk/person_messages.h"
#include "gateway/helpdesk/reassurer.h"
#include "tests/store/store_fixture.h"
#include "tests/support/inbound_sms.h"

namespace gw::testing {

// "1" asks for a person (general queue), "2" is urgent (urgent queue).
inline constexpr const char* kHelpdeskMainFlow = R"({
  "id": "main",
  "start": "menu",
  "nodes": {
    "menu": {"type": "ask", "prompt": "system.welcome", "choices": [
      {"label": "system.help", "value": "person", "next": "person"},
      {"label": "system.opted_in", "value": "urgent", "next": "urgent"}], "fallback": "person"},
    "person": {"type": "handover", "queue": "general", "priority": "normal", "note": "system.help"},
    "urgent": {"type": "handover", "queue": "urgent", "priority": "urgent", "note": "system.help"}
  }
})";

// Confirm with "1", keep with "2".
inline constexpr const char* kHelpdeskEraseFlow = R"({
  "id": "erase",
  "start": "confirm",
  "nodes": {
    "confirm": {"type": "ask", "prompt": "system.help", "choices": [
      {"label": "system.welcome", "value": "yes", "next": "erase"},
      {"label": "system.opted_in", "value": "no", "next": "kept"}], "fallback": "kept"},
    "erase": {"type": "erase", "say": ["system.opted_in"]},
    "kept": {"type": "end"}
  }
})";

struct HelpdeskFixture : StoreFixture {
  TemplateCatalog catalog = *TemplateCatalog::load(std::string(GATEWAY_SOURCE_DIR) + "/templates");
  Renderer renderer{*load_content(GATEWAY_SOURCE_DIR)};
  TempDir flow_dir;
  FlowSet flows = load();
  RendererLexicon lexicon{renderer};
  Engine engine{lexicon};
  HelpdeskConfig config;
  EventBus events;
  std::vector<HelpdeskEvent> seen;
  int subscription = events.subscribe([this](const HelpdeskEvent& e) { seen.push_back(e); });
  std::vector<std::string> woken;
  Conversations bot{*store, clock, catalog, nullptr, Bot{&flows, &renderer, &engine}};
  PersonMessages person{
      *store, catalog, &renderer,
      ChannelKinds(std::map<std::string, std::string>{{"uk-sms", "twilio"}, {"tg", "telegram"}}),
      [this](const std::string& ch) { woken.push_back(ch); }};
  metrics::Registry registry;
  HelpdeskMetrics helpdesk_metrics{registry};
  Helpdesk helpdesk{*store, clock, config, person, events, &helpdesk_metrics};
  gw::testing::InboundSms new_sms;

  HelpdeskFixture() { bot.set_helpdesk(HelpdeskLink{&config, &events}); }

  FlowSet load() {
    std::ofstream(flow_dir.path() / "main.json") << kHelpdeskMainFlow;
    std::ofstream(flow_dir.path() / "erase.json") << kHelpdeskEraseFlow;
    std::ofstream(flow_dir.path() / "globals.json")
        << R"({"entry": "main", "keywords": [{"keyword": "keyword.erase", "flow": "erase", "resume": true}]})";
    auto f = load_flows(flow_dir.path().string());
    if (!f) FAIL(f.error().to_string());
    return std::move(*f);
  }

  ReceiveResult say(const std::string& body, const std::string& from = "+447700900123") {
    InboundMessage m = new_sms(body, from);
    auto r = bot.receive(m);
    REQUIRE(r.ok());
    return *r;
  }

  // A person who asked for someone in the general ("1") or urgent ("2") queue.
  Handover handed_over(const std::string& from, const std::string& choice = "1") {
    say("hello", from);
    auto r = say(choice, from);
    auto conv = store->open_or_get_conversation(r.contact_id, "uk-sms", clock.now());
    REQUIRE(conv.ok());
    auto h = store->active_handover(conv->id);
    REQUIRE(h.ok());
    REQUIRE(h->has_value());
    return **h;
  }

  std::vector<Message> outbound(int64_t conversation_id) {
    auto all = store->list_messages(conversation_id);
    REQUIRE(all.ok());
    std::vector<Message> out;
    for (auto& m : *all) {
      if (m.direction == "out") out.push_back(m);
    }
    return out;
  }

  std::string conversation_state(int64_t contact_id) {
    auto conv = store->open_or_get_conversation(contact_id, "uk-sms", clock.now());
    REQUIRE(conv.ok());
    return conv->state;
  }

  // What `key` says in English on SMS (the test person's language and channel).
  std::string text(const std::string& key, const nlohmann::json& vars = nlohmann::json::object()) {
    auto r = renderer.render(key, "en", "sms", vars);
    REQUIRE(r.ok());
    return r->text;
  }

  static OperatorView op(int64_t id, std::vector<std::string> queues, std::string role = "operator") {
    OperatorView o;
    o.id = id;
    o.role = std::move(role);
    o.queues = std::move(queues);
    return o;
  }

  // An account row, so that handovers.operator_id has something to refer to.
  int64_t account(const std::string& name, const std::string& role = "operator",
                  std::vector<std::string> queues = {}) {
    Account a;
    a.username = name;
    a.password_hash = "x";
    a.role = role;
    a.queues = std::move(queues);
    auto id = store->create_account(a);
    REQUIRE(id.ok());
    return *id;
  }
};

}  // namespace gw::testing
