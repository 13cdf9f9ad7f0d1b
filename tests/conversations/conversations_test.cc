#include "gateway/conversations/conversations.h"

#include <catch2/catch.hpp>

#include "gateway/content/content_set.h"
#include "gateway/content/flow_files.h"
#include "gateway/content/renderer_lexicon.h"
#include "tests/store/store_fixture.h"
#include "tests/support/inbound_sms.h"

namespace {

struct ConvFixture : gw::testing::StoreFixture {
  gw::TemplateCatalog catalog = *gw::TemplateCatalog::load(std::string(GATEWAY_SOURCE_DIR) + "/templates");
  std::vector<std::string> woken;
  gw::Conversations conversations{*store, clock, catalog,
                                  [this](const std::string& ch) { woken.push_back(ch); }};
  gw::testing::InboundSms sms;  // sms("text"), sms("text", from)

  gw::ReceiveResult receive(const gw::InboundMessage& m) {
    auto r = conversations.receive(m);
    REQUIRE(r.ok());
    return *r;
  }
  std::vector<gw::Message> outbound(int64_t contact_id) {
    auto conv = store->open_or_get_conversation(contact_id, "uk-sms", clock.now());
    auto all = store->list_messages(conv->id);
    std::vector<gw::Message> out;
    for (auto& m : *all) {
      if (m.direction == "out") out.push_back(m);
    }
    return out;
  }
};

}  // namespace

TEST_CASE("keywords fold case, width and surrounding punctuation", "[conversations][keywords]") {
  CHECK(gw::fold_keyword("  Stop! ") == "stop");
  CHECK(gw::fold_keyword("ＳＴＯＰ") == "stop");
  CHECK(gw::fold_keyword("STOP please") == "stop please");
  gw::TemplateCatalog catalog = *gw::TemplateCatalog::load(std::string(GATEWAY_SOURCE_DIR) + "/templates");
  gw::KeywordMatcher m(catalog);
  for (const char* w :
       {"STOP", "stopall", "Unsubscribe", "cancel", "END", "quit", "revoke", "OPTOUT", "stop."}) {
    INFO(w);
    CHECK(m.match(w) == gw::Keyword::kStop);
  }
  CHECK(m.match("start") == gw::Keyword::kStart);
  CHECK(m.match("UNSTOP") == gw::Keyword::kStart);
  CHECK(m.match("help") == gw::Keyword::kHelp);
  CHECK(m.match("Info") == gw::Keyword::kHelp);
  CHECK(m.match("please stop") == gw::Keyword::kNone);
  CHECK(m.match("") == gw::Keyword::kNone);
}

TEST_CASE("a message is stored once: a provider retry gets no second reply", "[conversations]") {
  ConvFixture f;
  auto m = f.sms("hello");
  auto first = f.receive(m);
  CHECK_FALSE(first.duplicate);
  CHECK(first.action == "reply");
  auto again = f.receive(m);
  CHECK(again.duplicate);
  CHECK(again.message_id == first.message_id);
  CHECK(f.outbound(first.contact_id).size() == 1);
  CHECK(f.woken == std::vector<std::string>{"uk-sms"});
}

TEST_CASE("STOP opts out in any state and nothing more is sent, and START opts back in", "[conversations]") {
  ConvFixture f;
  auto r = f.receive(f.sms("hi"));
  REQUIRE(f.outbound(r.contact_id).size() == 1);
  CHECK(f.receive(f.sms("Stop")).action == "opt_out");
  CHECK(f.store->get_contact(r.contact_id)->opted_out);
  f.receive(f.sms("are you there?"));
  f.receive(f.sms("HELP"));
  CHECK(f.outbound(r.contact_id).size() == 1);  // nothing after STOP, not even help

  CHECK(f.receive(f.sms("start")).action == "opt_in");
  CHECK_FALSE(f.store->get_contact(r.contact_id)->opted_out);
  auto out = f.outbound(r.contact_id);
  REQUIRE(out.size() == 2);
  CHECK(out[1].body == f.catalog.text("system.opted_in"));
}

TEST_CASE("YES resumes only a contact who stopped, otherwise it is an ordinary answer", "[conversations]") {
  ConvFixture f;
  CHECK(f.receive(f.sms("yes")).action == "reply");
  f.receive(f.sms("STOP"));
  CHECK(f.receive(f.sms("YES")).action == "opt_in");
}

TEST_CASE("HELP and INFO answer with the help template and the emergency numbers", "[conversations]") {
  ConvFixture f;
  auto r = f.receive(f.sms("info"));
  CHECK(r.action == "help");
  auto out = f.outbound(r.contact_id);
  REQUIRE(out.size() == 2);
  CHECK(out[0].body == f.catalog.text("system.help"));
  // From a UK number: the UK branch, formatted (no ICU syntax left in it).
  CHECK(out[1].template_key == "crisis.numbers");
  CHECK(out[1].body.find("999") != std::string::npos);
  CHECK(out[1].body.find("select") == std::string::npos);
}

TEST_CASE("Twilio's OptOutType is honoured even when the word is a localised one", "[conversations]") {
  ConvFixture f;
  auto m = f.sms("ARRET");
  m.opt_out_type = "STOP";
  CHECK(f.receive(m).action == "opt_out");
}

TEST_CASE("an inbound message opens the WhatsApp window by recording its time", "[conversations]") {
  ConvFixture f;
  auto r = f.receive(f.sms("hi", "whatsapp:+393331234567"));
  auto c = f.store->get_contact(r.contact_id);
  REQUIRE(c->last_inbound_at);
  CHECK(*c->last_inbound_at == f.clock.now());
}

TEST_CASE("templates load from templates/ and a missing key never renders empty", "[content][templates]") {
  auto catalog = gw::TemplateCatalog::load(std::string(GATEWAY_SOURCE_DIR) + "/templates");
  REQUIRE(catalog.ok());
  CHECK(catalog->find("system.help") != nullptr);
  CHECK(catalog->text("no.such.key") == "no.such.key");
  CHECK(catalog->keywords("keyword.stop").size() == 8);
  CHECK_FALSE(gw::TemplateCatalog::load("/nonexistent").ok());
}

namespace {

// The shipped flows and content, run by the orchestrator.
struct BotFixture : ConvFixture {
  gw::Renderer renderer{*gw::load_content(GATEWAY_SOURCE_DIR)};
  gw::FlowSet flows = *gw::load_flows(std::string(GATEWAY_SOURCE_DIR) + "/flows");
  gw::RendererLexicon lexicon{renderer};
  gw::Engine engine{lexicon};
  gw::Conversations bot{*store, clock, catalog, nullptr, gw::Bot{&flows, &renderer, &engine}};

  gw::ReceiveResult say(const std::string& body) {
    auto r = bot.receive(sms(body));
    REQUIRE(r.ok());
    return *r;
  }
};

}  // namespace

TEST_CASE("with flows, replies come from the flow, the session carries on, and a handover silences the bot",
          "[conversations][flow]") {
  BotFixture f;
  // From a UK number: English is offered first, with the full list as the other option.
  auto first = f.say("Hello");
  CHECK(first.action == "flow");
  CHECK(first.queued == 1);
  auto out = f.outbound(first.contact_id);
  REQUIRE(out.size() == 1);
  CHECK(out[0].body.find("Free, confidential helpline") != std::string::npos);
  CHECK(out[0].body.find("1. English\n2. ") != std::string::npos);
  REQUIRE(f.store->load_session(first.contact_id, f.clock.now())->has_value());

  // "١" (Arabic-Indic one) takes English; the consent question follows.
  CHECK(f.say("\u0661").action == "flow");
  CHECK(f.store->get_contact(first.contact_id)->language == "en");
  CHECK(f.outbound(first.contact_id).back().body.find("May we keep them?") != std::string::npos);

  // "2": no; the contact's consent is recorded as declined, and the menu follows.
  CHECK(f.say("2").action == "flow");
  CHECK(f.store->get_contact(first.contact_id)->consent == "declined");
  out = f.outbound(first.contact_id);
  CHECK(out.back().body.rfind("What would you like?", 0) == 0);
  CHECK(out.back().body.find("3. Talk to a person") != std::string::npos);

  // "٣" then "٢": talk to a person, 18 or over: a waiting handover, no more bot replies.
  CHECK(f.say("\u0663").action == "flow");
  auto second = f.say("\u0662");
  CHECK(second.action == "flow");
  auto conv = f.store->open_or_get_conversation(first.contact_id, "uk-sms", f.clock.now());
  CHECK(conv->state == "waiting");
  auto ho = f.store->active_handover(conv->id);
  REQUIRE(ho->has_value());
  CHECK((*ho)->queue == "general");
  CHECK((*ho)->state == "waiting");
  CHECK_FALSE(f.store->load_session(first.contact_id, f.clock.now())->has_value());

  const size_t before = f.outbound(first.contact_id).size();
  auto third = f.say("are you there?");
  CHECK(third.action == "none");
  CHECK(f.outbound(first.contact_id).size() == before);
  // STOP still works while waiting for a person.
  CHECK(f.say("STOP").action == "opt_out");
}
