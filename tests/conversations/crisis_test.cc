// The crisis route through the real Conversations path, with the shipped flows
// and content: a crisis word (SOS, 112, "help me" in any language) is answered at
// once with the emergency numbers of the person's country and how to call when
// they cannot speak, then the offer of an urgent handover — before the language
// choice and consent, inside screening, during a handover, and after STOP on
// Telegram (never on SMS). Distress words at a numbered question get the same
// instead of "reply with a number"; HELP is answered in the person's language.
#include <catch2/catch.hpp>

#include "gateway/content/content_set.h"
#include "gateway/content/flow_files.h"
#include "gateway/conversations/conversations.h"
#include "gateway/content/renderer_lexicon.h"
#include "tests/store/store_fixture.h"

namespace {

constexpr const char* kUkNumber = "+447700900123";
constexpr const char* kItNumber = "+393331234567";
constexpr const char* kHrNumber = "+385911234567";

struct Crisis : gw::testing::StoreFixture {
  gw::TemplateCatalog catalog = *gw::TemplateCatalog::load(std::string(GATEWAY_SOURCE_DIR) + "/templates");
  gw::Renderer renderer{*gw::load_content(GATEWAY_SOURCE_DIR)};
  gw::FlowSet flows = *gw::load_flows(std::string(GATEWAY_SOURCE_DIR) + "/flows");
  gw::RendererLexicon lexicon{renderer};
  gw::Engine engine{lexicon};
  gw::HelpdeskConfig helpdesk;
  gw::Conversations bot{*store, clock, catalog, nullptr, gw::Bot{&flows, &renderer, &engine}};
  int sid = 0;

  Crisis() { bot.set_helpdesk(gw::HelpdeskLink{&helpdesk, nullptr}); }

  gw::ReceiveResult sms(const std::string& body, const std::string& from = kUkNumber) {
    gw::InboundMessage m;
    m.channel_id = "uk-sms";
    m.kind = gw::ChannelKind::kSms;
    m.from = from;
    m.body = body;
    m.provider_id = "SM" + std::to_string(++sid);
    auto r = bot.receive(m);
    REQUIRE(r.ok());
    return *r;
  }
  gw::ReceiveResult telegram(const std::string& body, const std::string& chat = "987654321") {
    gw::InboundMessage m;
    m.channel_id = "tg";
    m.kind = gw::ChannelKind::kTelegram;
    m.from = chat;
    m.body = body;
    m.provider_id = std::to_string(++sid);
    auto r = bot.receive(m);
    REQUIRE(r.ok());
    return *r;
  }
  std::vector<gw::Message> out(int64_t contact_id, const std::string& channel = "uk-sms") {
    auto conv = store->open_or_get_conversation(contact_id, channel, clock.now());
    auto all = store->list_messages(conv->id);
    std::vector<gw::Message> o;
    for (auto& m : *all) {
      if (m.direction == "out") o.push_back(m);
    }
    return o;
  }
  // The messages sent since `before` (an earlier size of out()).
  std::vector<gw::Message> since(int64_t contact_id, size_t before, const std::string& channel = "uk-sms") {
    auto all = out(contact_id, channel);
    return {all.begin() + static_cast<long>(std::min(before, all.size())), all.end()};
  }
  std::optional<gw::Handover> handover(int64_t contact_id, const std::string& channel = "uk-sms") {
    auto conv = store->open_or_get_conversation(contact_id, channel, clock.now());
    auto h = store->active_handover(conv->id);
    REQUIRE(h.ok());
    return *h;
  }
  std::string render(const std::string& key, const std::string& lang,
                     nlohmann::json vars = nlohmann::json::object()) {
    auto r = renderer.render(key, lang, "sms", vars);
    REQUIRE(r.ok());
    return r->text;
  }
};

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("SOS as the very first message, before language and consent: UK numbers at once, then the offer",
          "[conversations][crisis]") {
  Crisis f;
  auto r = f.sms("SOS");
  CHECK(r.action == "crisis");
  auto o = f.out(r.contact_id);
  REQUIRE(o.size() == 2);
  // The UK branch: 999, and the Silent Solution (press 55), not "stay on the line" alone.
  CHECK(o[0].template_key == "crisis.numbers");
  CHECK(has(o[0].body, "999"));
  CHECK(has(o[0].body, "press 55"));
  CHECK_FALSE(has(o[0].body, "Croatia"));
  CHECK(o[1].template_key == "crisis.offer");
  CHECK(has(o[1].body, "1. Yes"));
  CHECK(f.store->get_contact(r.contact_id)->consent == "none");  // nothing was asked or assumed

  // "1": an urgent handover to the urgent queue, and one message about it.
  auto yes = f.sms("1");
  auto h = f.handover(r.contact_id);
  REQUIRE(h);
  CHECK(h->queue == "urgent");
  CHECK(h->priority == "urgent");
  auto after = f.since(r.contact_id, o.size());
  REQUIRE(after.size() == 1);
  CHECK(after[0].template_key == "helpdesk.queued");
  CHECK(yes.queued == 1);
}

TEST_CASE("SOS then no: the person is back at the language question they had not answered",
          "[conversations][crisis]") {
  Crisis f;
  auto r = f.sms("hello");
  const std::string first = f.out(r.contact_id)[0].body;
  f.sms("112");
  const size_t before = f.out(r.contact_id).size();
  f.sms("2");
  auto o = f.since(r.contact_id, before);
  REQUIRE(o.size() == 2);
  CHECK(o[0].template_key == "crisis.later");
  CHECK(o[1].body == first);  // the language offer again, unanswered so far
  CHECK_FALSE(f.handover(r.contact_id));
}

TEST_CASE("an unclear answer to the crisis offer counts as yes and the person is told why",
          "[conversations][crisis]") {
  Crisis f;
  auto r = f.sms("EMERGENCY");
  const size_t before = f.out(r.contact_id).size();
  f.sms("they are coming back");
  auto h = f.handover(r.contact_id);
  REQUIRE(h);
  CHECK(h->priority == "urgent");
  auto o = f.since(r.contact_id, before);
  REQUIRE(o.size() == 1);
  CHECK(o[0].template_key == "helpdesk.queued_unclear");
}

TEST_CASE("Arabic crisis word before any language choice: answered in Arabic with Italy's numbers",
          "[conversations][crisis][ar]") {
  Crisis f;
  auto r = f.sms("ساعدني", kItNumber);
  CHECK(r.action == "crisis");
  auto o = f.out(r.contact_id);
  REQUIRE(o.size() == 2);
  CHECK(o[0].body == f.render("crisis.numbers", "ar", {{"country", "IT"}}));
  CHECK(has(o[0].body, "112 Where ARE U"));
  CHECK_FALSE(has(o[0].body, "999"));
  CHECK(o[1].body.rfind(f.render("crisis.offer", "ar"), 0) == 0);
  CHECK(o[0].body != f.render("crisis.numbers", "en", {{"country", "IT"}}));
}

TEST_CASE("Ukrainian crisis word from a Croatian number: Croatian numbers in Ukrainian",
          "[conversations][crisis][uk]") {
  Crisis f;
  auto r = f.sms("Допоможіть!", kHrNumber);
  CHECK(r.action == "crisis");
  auto o = f.out(r.contact_id);
  REQUIRE(o.size() >= 1);
  CHECK(o[0].body == f.render("crisis.numbers", "uk", {{"country", "HR"}}));
  CHECK(has(o[0].body, "SMS на 112"));
}

TEST_CASE("a crisis word inside screening: numbers and offer, and after no the question comes back",
          "[conversations][crisis]") {
  Crisis f;
  auto r = f.sms("hello");
  f.sms("1");  // English
  f.sms("1");  // consent: yes
  f.sms("2");  // menu: questions about work and living situation
  auto o = f.out(r.contact_id);
  const std::string safe_question = o.back().body;
  REQUIRE(o.back().template_key == "screen.safe");
  f.sms("sos");
  auto c = f.since(r.contact_id, o.size());
  REQUIRE(c.size() == 2);
  CHECK(c[0].template_key == "crisis.numbers");
  CHECK(c[1].template_key == "crisis.offer");
  const size_t before = f.out(r.contact_id).size();
  f.sms("no");
  auto back = f.since(r.contact_id, before);
  REQUIRE(back.size() == 2);
  CHECK(back[0].template_key == "crisis.later");
  CHECK(back[1].body == safe_question);
}

TEST_CASE("the danger question: an unclear answer is possible danger — numbers and an urgent handover",
          "[conversations][crisis][screening]") {
  Crisis f;
  auto r = f.sms("hello");
  f.sms("1");
  f.sms("1");
  f.sms("2");  // screening
  f.sms("1");  // safe to answer now
  auto o = f.out(r.contact_id);
  REQUIRE(o.back().template_key == "screen.danger");
  f.sms("maybe, I do not know");
  auto c = f.since(r.contact_id, o.size());
  REQUIRE(c.size() == 2);
  CHECK(c[0].template_key == "crisis.numbers");
  CHECK(has(c[0].body, "press 55"));
  CHECK(c[1].template_key == "helpdesk.queued_unclear");
  auto h = f.handover(r.contact_id);
  REQUIRE(h);
  CHECK(h->queue == "urgent");
  for (const auto& m : c) CHECK(m.template_key != "minor.age");  // never on to the age question
}

TEST_CASE(
    "distress words in free text at a numbered question get the crisis answer, not 'reply with a number'",
    "[conversations][crisis]") {
  Crisis f;
  auto r = f.sms("hello");
  f.sms("1");
  f.sms("1");
  auto o = f.out(r.contact_id);
  REQUIRE(o.back().template_key == "menu.prompt");
  f.sms("please help me they took my phone");
  auto c = f.since(r.contact_id, o.size());
  REQUIRE(c.size() == 2);
  CHECK(c[0].template_key == "crisis.numbers");
  CHECK(c[1].template_key == "crisis.offer");
  for (const auto& m : c) CHECK(m.template_key != "answer.retry");

  // An ordinary wrong answer still gets the retry: "skill" holds no distress word.
  f.sms("2");  // no contact now: back at the menu
  const size_t before = f.out(r.contact_id).size();
  f.sms("my skill is cooking");
  auto retry = f.since(r.contact_id, before);
  REQUIRE_FALSE(retry.empty());
  CHECK(retry[0].template_key == "answer.retry");
}

TEST_CASE("distress words in Ukrainian at a numbered question, in Ukrainian", "[conversations][crisis][uk]") {
  Crisis f;
  auto r = f.sms("Привіт");
  f.sms("1");  // Ukrainian is offered first for Cyrillic text
  REQUIRE(f.store->get_contact(r.contact_id)->language == "uk");
  const size_t before = f.out(r.contact_id).size();
  f.sms("мені страшно, вони б'ють мене");
  auto c = f.since(r.contact_id, before);
  REQUIRE_FALSE(c.empty());
  CHECK(c[0].body == f.render("crisis.numbers", "uk", {{"country", "GB"}}));
}

TEST_CASE("SOS during a handover: the numbers at once and the handover becomes urgent",
          "[conversations][crisis]") {
  Crisis f;
  auto r = f.sms("hello");
  f.sms("HUMAN");
  auto h = f.handover(r.contact_id);
  REQUIRE(h);
  REQUIRE(h->priority == "normal");
  const size_t before = f.out(r.contact_id).size();
  auto s = f.sms("SOS");
  CHECK(s.action == "crisis");
  auto c = f.since(r.contact_id, before);
  REQUIRE(c.size() == 1);
  CHECK(c[0].template_key == "crisis.numbers");
  CHECK(f.handover(r.contact_id)->priority == "urgent");
  // Ordinary messages still go to the operator only.
  CHECK(f.sms("are you there").action == "none");
  CHECK(f.out(r.contact_id).size() == before + 1);
}

TEST_CASE("after STOP on Telegram a crisis word still gets the numbers, and on SMS nothing is sent",
          "[conversations][crisis]") {
  Crisis f;
  auto t = f.telegram("hi");
  CHECK(f.telegram("STOP").action == "opt_out");
  const size_t before = f.out(t.contact_id, "tg").size();
  auto s = f.telegram("SOS");
  CHECK(s.action == "crisis");
  auto c = f.since(t.contact_id, before, "tg");
  REQUIRE(c.size() == 2);
  // Telegram ids carry no country: all four countries.
  CHECK(c[0].body == f.render("crisis.numbers", "en", {{"country", "other"}}));
  CHECK(has(c[0].body, "Croatia"));
  CHECK(has(c[0].body, "112NL"));
  CHECK(c[1].template_key == "crisis.restart");
  CHECK(f.store->get_contact(t.contact_id)->opted_out);  // the STOP stands
  CHECK(f.telegram("hello?").action == "none");

  auto m = f.sms("hi");
  f.sms("STOP");
  const size_t sms_before = f.out(m.contact_id).size();
  CHECK(f.sms("SOS").action == "none");
  CHECK(f.out(m.contact_id).size() == sms_before);
}

TEST_CASE("translated stop, start and help lists work, and HELP is answered in Arabic with the numbers",
          "[conversations][keywords][ar]") {
  Crisis f;
  // Arabic STOP from someone who has chosen no language yet.
  auto r = f.sms("توقف");
  CHECK(r.action == "opt_out");
  CHECK(f.store->get_contact(r.contact_id)->opted_out);
  CHECK(f.sms("START").action == "opt_in");

  // An Arabic speaker asks for help: the help text and the numbers, in Arabic.
  auto a = f.sms("مرحبا", "+447700900555");
  f.sms("1", "+447700900555");
  REQUIRE(f.store->get_contact(a.contact_id)->language == "ar");
  const size_t before = f.out(a.contact_id).size();
  auto h = f.sms("معلومات", "+447700900555");
  CHECK(h.action == "help");
  auto o = f.since(a.contact_id, before);
  REQUIRE(o.size() == 2);
  CHECK(o[0].body == f.render("system.help", "ar"));
  CHECK(o[0].body != f.catalog.text("system.help"));
  CHECK(o[1].body == f.render("crisis.numbers", "ar", {{"country", "GB"}}));
  CHECK(has(o[1].body, "999"));
}

TEST_CASE("Persian and Ukrainian keyword lists are loaded: کمک is a crisis word, СТОП stops",
          "[conversations][keywords]") {
  Crisis f;
  auto r = f.sms("کمک");
  CHECK(r.action == "crisis");
  CHECK(f.out(r.contact_id)[0].body == f.render("crisis.numbers", "fa", {{"country", "GB"}}));
  auto u = f.sms("стоп", "+447700900777");
  CHECK(u.action == "opt_out");
}

TEST_CASE("out of hours, urgent and child handovers give 24/7 numbers instead of 'someone will write'",
          "[conversations][crisis][helpdesk]") {
  Crisis f;
  // Every queue closed all week.
  for (auto& q : f.helpdesk.queues) {
    q.always_open = false;
    for (auto& d : q.hours) d.clear();
  }
  auto r = f.sms("SOS");
  const size_t before = f.out(r.contact_id).size();
  f.sms("1");
  auto o = f.since(r.contact_id, before);
  REQUIRE(o.size() == 1);
  CHECK(o[0].template_key == "helpdesk.out_of_hours_urgent");
  CHECK(has(o[0].body, "08000 121 700"));
  CHECK_FALSE(has(o[0].body, "0800 77 99"));  // Croatia's line is not open at night

  // Under 18, from Croatia: the child line with its real hours, and 112.
  auto c = f.sms("hello", kHrNumber);
  f.sms("1", kHrNumber);  // the language offered first
  f.sms("2", kHrNumber);  // consent: no
  f.sms("3", kHrNumber);  // talk to a person
  const size_t child_before = f.out(c.contact_id).size();
  f.sms("1", kHrNumber);  // under 18
  auto k = f.since(c.contact_id, child_before);
  REQUIRE_FALSE(k.empty());
  CHECK(k.back().template_key == "helpdesk.out_of_hours_minor");
  const std::string lang = f.store->get_contact(c.contact_id)->language;
  CHECK(k.back().body == f.render("helpdesk.out_of_hours_minor", lang, {{"country", "HR"}}));
  CHECK(has(k.back().body, "116 111"));
  CHECK(
      has(f.render("helpdesk.out_of_hours_minor", "en", {{"country", "HR"}}), "Monday to Friday 9:00-20:00"));
  CHECK(f.handover(c.contact_id)->queue == "safeguarding");
}

TEST_CASE("a handover after 'talk to a person' is one message, not two", "[conversations][helpdesk]") {
  Crisis f;
  auto r = f.sms("hello");
  f.sms("1");
  f.sms("1");
  f.sms("3");  // talk to a person → the age question
  const size_t before = f.out(r.contact_id).size();
  f.sms("2");  // 18 or over
  auto o = f.since(r.contact_id, before);
  REQUIRE(o.size() == 1);
  CHECK(o[0].template_key == "helpdesk.queued");
}

TEST_CASE("a handover after repeated unclear answers tells the person why", "[conversations][helpdesk]") {
  Crisis f;
  auto r = f.sms("hello");
  f.sms("1");
  f.sms("1");
  const size_t before = f.out(r.contact_id).size();
  f.sms("what");
  f.sms("hmm");
  f.sms("ok");
  auto o = f.since(r.contact_id, before);
  REQUIRE_FALSE(o.empty());
  CHECK(o.back().template_key == "helpdesk.queued_unclear");
  REQUIRE(f.handover(r.contact_id));
}

TEST_CASE("crisis and distress words: every language's list, whole words, crisis before help",
          "[conversations][keywords][crisis]") {
  gw::TemplateCatalog catalog = *gw::TemplateCatalog::load(std::string(GATEWAY_SOURCE_DIR) + "/templates");
  gw::Renderer renderer{*gw::load_content(GATEWAY_SOURCE_DIR)};
  gw::KeywordMatcher m(catalog, &renderer);
  CHECK(m.match("sos") == gw::Keyword::kCrisis);
  CHECK(m.match("Help me!") == gw::Keyword::kCrisis);
  CHECK(m.match("HELP") == gw::Keyword::kHelp);
  // "ساعدني" is on the Arabic help draft too: the crisis answer wins.
  auto ar = m.hit("ساعدني");
  CHECK(ar.keyword == gw::Keyword::kCrisis);
  CHECK(ar.language == "ar");
  CHECK(m.hit("допоможіть").language == "uk");
  CHECK(m.hit("aiuto").keyword == gw::Keyword::kCrisis);
  CHECK(m.hit("au secours").keyword == gw::Keyword::kCrisis);
  CHECK(m.hit("pomoć").keyword == gw::Keyword::kCrisis);
  CHECK(m.match("STOP") == gw::Keyword::kStop);
  // Without a renderer only English lists are known.
  gw::KeywordMatcher english(catalog);
  CHECK(english.match("ساعدني") == gw::Keyword::kNone);

  std::string lang;
  CHECK(m.contains_distress("please, help me now", &lang));
  CHECK(lang == "en");
  CHECK(m.contains_distress("they will KILL me"));
  CHECK_FALSE(m.contains_distress("my skill is cooking"));
  CHECK_FALSE(m.contains_distress("helpmenow"));
  CHECK(m.contains_distress("ساعدني من فضلك", &lang));
  CHECK(lang == "ar");
  // Bounded: a very long text is scanned in its first 2,000 bytes only.
  CHECK_FALSE(m.contains_distress(std::string(5000, 'a') + " help me"));
}

TEST_CASE("the delete confirmation suggests no word that would opt the person out, in any language",
          "[conversations][keywords][erase]") {
  // A person who answers the confirmation with a word it suggests must not be
  // opted out instead (CANCEL is a stop word).
  gw::TemplateCatalog catalog = *gw::TemplateCatalog::load(std::string(GATEWAY_SOURCE_DIR) + "/templates");
  gw::Renderer renderer{*gw::load_content(GATEWAY_SOURCE_DIR)};
  gw::KeywordMatcher m(catalog, &renderer);
  for (const std::string& lang : renderer.languages()) {
    for (const std::string key : {"erase.confirm", "answer.yes", "answer.no", "erase.kept"}) {
      auto r = renderer.render(key, lang, "sms");
      REQUIRE(r.ok());
      // Every word and every pair of words of the text, as a person might send it back.
      std::vector<std::string> words;
      std::string w;
      for (char c : r->text + " ") {
        if (c == ' ' || c == ',' || c == '.' || c == '?' || c == '(' || c == ')') {
          if (!w.empty()) words.push_back(w);
          w.clear();
        } else {
          w += c;
        }
      }
      INFO(lang << " " << key << ": " << r->text);
      for (size_t i = 0; i < words.size(); ++i) {
        CHECK(m.match(words[i]) != gw::Keyword::kStop);
        if (i + 1 < words.size()) CHECK(m.match(words[i] + " " + words[i + 1]) != gw::Keyword::kStop);
      }
    }
  }
}

TEST_CASE("every country branch of the crisis and out-of-hours answers fits the SMS budget in every language",
          "[content][crisis][sms]") {
  // gateway check renders one branch (the "other" one); a person gets any of them.
  gw::Renderer renderer{*gw::load_content(GATEWAY_SOURCE_DIR)};
  for (const std::string& lang : renderer.languages()) {
    for (const std::string key :
         {"crisis.numbers", "helpdesk.out_of_hours_urgent", "helpdesk.out_of_hours_minor"}) {
      for (const std::string country : {"GB", "IT", "HR", "NL", "other"}) {
        auto r = renderer.render(key, lang, "sms", {{"country", country}});
        REQUIRE(r.ok());
        INFO(lang << " " << key << " " << country << ": " << r->text);
        CHECK(r->segments <= (r->encoding == "UCS-2" ? 3 : 2));
        CHECK(r->text.find("select") == std::string::npos);
      }
    }
  }
}
