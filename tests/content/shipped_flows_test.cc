// The shipped flows, walked as scripted conversations with the Simulator: every
// path a person can take (language, consent, each menu option, rights for each
// country, screening results, danger, minors, erasure), asserted on template
// keys, handover queues and priorities and events rather than on wording.
//
// A walk is parameterised by the language chosen and the digits typed, so that
// the same conversations run in every shipped language: check_every_path("ar",
// Digits::kArabicIndic, true) once Arabic is translated.
#include <catch2/catch.hpp>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "gateway/content/flow_files.h"
#include "gateway/content/template_catalog.h"
#include "gateway/conversations/simulator.h"
#include "gateway/engine/flow_check.h"

namespace {

const std::string kRoot = GATEWAY_SOURCE_DIR;

// The languages of the language list, in its order (option 1 is "en").
const std::vector<std::string> kLanguages = {"en", "ar", "fa", "ps", "ti", "so",
                                             "fr", "uk", "it", "hr", "nl", "ur"};

enum class Digits { kLatin, kArabicIndic, kPersian };

// `n` written in `digits`, as a person would type it.
std::string number(int n, Digits digits) {
  const std::string latin = std::to_string(n);
  if (digits == Digits::kLatin) return latin;
  std::string out;
  for (char c : latin) {
    const int d = c - '0';
    // U+0660..U+0669 (Arabic-Indic) and U+06F0..U+06F9 (Persian) in UTF-8.
    out += digits == Digits::kArabicIndic ? "\xD9" : "\xDB";
    out += static_cast<char>((digits == Digits::kArabicIndic ? 0xA0 : 0xB0) + d);
  }
  return out;
}

int language_option(const std::string& lang) {
  for (size_t i = 0; i < kLanguages.size(); ++i) {
    if (kLanguages[i] == lang) return static_cast<int>(i) + 1;
  }
  FAIL("no such language in the list: " << lang);
  return 0;
}

// The numbers of the main menu's options.
enum Menu { kRights = 1, kScreening, kPerson, kFamily, kEmergency, kErase, kLanguage };
// The numbers of a country's topic menu, and of its "more" page.
enum Topic { kProtection = 1, kAsylum, kHealth, kLegal, kWork, kDocuments, kPolice, kNumbers, kMoreTopics };
enum MoreTopic { kWages = 1, kForms, kPhone, kOtherCountry, kMainMenu };
// Yes / no / skip answers.
enum Answer { kYes = 1, kNo, kSkip };

struct WalkOptions {
  std::string language = "en";
  Digits digits = Digits::kLatin;
  std::string from;                // E.164 number, "" for none
  bool require_translated = true;  // every reply rendered in `language` itself
};

// One conversation with the shipped content.
class Walk {
 public:
  explicit Walk(WalkOptions o) : o_(std::move(o)) {
    gw::SimulatorOptions so;
    so.from = o_.from;
    so.channel = "sms";
    auto sim = gw::Simulator::open(kRoot, so);
    REQUIRE(sim.ok());
    sim_ = std::move(*sim);
  }

  gw::SimulatedTurn send(const std::string& text) {
    now_ += std::chrono::minutes(1);
    last_ = sim_->send(text, now_);
    stats_.insert(stats_.end(), last_.stats.begin(), last_.stats.end());
    if (chosen_ && o_.require_translated) {
      for (const auto& r : last_.replies) {
        INFO(r.key);
        CHECK(r.language == o_.language);
      }
    }
    for (const auto& e : last_.events) {
      INFO(e.dump());
      CHECK(e["event"] != "error");
    }
    return last_;
  }
  gw::SimulatedTurn choose(int option) { return send(number(option, o_.digits)); }
  // Lets the conversation expire (24 hours after the last message).
  void wait_hours(int hours) { now_ += std::chrono::hours(hours); }

  // The first message, the language list, consent; ends at the main menu.
  void enter(bool consent = true) {
    send("Hello");
    REQUIRE(!last_.replies.empty());
    CHECK(last_.replies[0].key == "welcome.hello");
    if (options() == 2) choose(2);  // a guess was offered: take the full list instead
    REQUIRE(options() == 12);
    choose(language_option(o_.language));
    REQUIRE(has_event("language"));
    CHECK(event("language")["language"] == o_.language);
    chosen_ = true;
    CHECK(keys().front() == "welcome.language_set");
    CHECK(last_key() == "consent.ask");
    choose(consent ? kYes : kNo);
    CHECK(keys() == std::vector<std::string>{consent ? "consent.given" : "consent.declined", "safety.tip",
                                             "menu.prompt"});
  }

  // The number of numbered options of the last reply.
  int options() const {
    if (last_.replies.empty()) return 0;
    const std::string& t = last_.replies.back().text;
    int n = 0;
    for (size_t at = 0; (at = t.find('\n', at)) != std::string::npos; ++at) ++n;
    return n;
  }
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const auto& r : last_.replies) out.push_back(r.key);
    return out;
  }
  std::string last_key() const { return last_.replies.empty() ? "" : last_.replies.back().key; }
  bool has_event(const std::string& name) const {
    for (const auto& e : last_.events) {
      if (e["event"] == name) return true;
    }
    return false;
  }
  nlohmann::json event(const std::string& name) const {
    for (const auto& e : last_.events) {
      if (e["event"] == name) return e;
    }
    return nlohmann::json::object();
  }
  // The last turn ended in a handover to `queue` with `priority`.
  void check_handover(const std::string& queue, const std::string& priority) const {
    REQUIRE(has_event("handover"));
    CHECK(event("handover")["queue"] == queue);
    CHECK(event("handover")["priority"] == priority);
  }
  // Every stat tag reached since the walk began (or since the last call), as "metric:value".
  std::vector<std::string> take_stats() {
    std::vector<std::string> out;
    for (const gw::StatTag& t : stats_) out.push_back(gw::stat_tag_text(t));
    stats_.clear();
    return out;
  }
  const gw::SimulatedTurn& last() const { return last_; }
  const WalkOptions& options_used() const { return o_; }

 private:
  WalkOptions o_;
  std::unique_ptr<gw::Simulator> sim_;
  gw::TimePoint now_ = gw::from_unix_ms(1'800'000'000'000);
  gw::SimulatedTurn last_;
  std::vector<gw::StatTag> stats_;
  bool chosen_ = false;
};

WalkOptions with_from(WalkOptions o, const std::string& from) {
  o.from = from;
  return o;
}

// Screening up to the first indicator question, as an adult not in danger.
void to_indicators(Walk& w) {
  w.choose(kScreening);
  CHECK(w.keys() == std::vector<std::string>{"screen.safe"});  // is it safe to answer now?
  w.choose(kYes);
  CHECK(w.keys() == std::vector<std::string>{"screen.danger"});
  w.choose(kNo);
  CHECK(w.last_key() == "minor.age");
  w.choose(2);  // 18 or over
  CHECK(w.last_key() == "screen.q.vulnerability");
}

// Answers the 11 indicator questions in order with `answers`; returns the keys asked.
std::vector<std::string> answer_indicators(Walk& w, const std::vector<Answer>& answers) {
  std::vector<std::string> asked;
  for (Answer a : answers) {
    asked.push_back(w.last_key());
    w.choose(a);
  }
  return asked;
}

void check_languages_and_consent(const WalkOptions& o) {
  {
    Walk w(o);
    w.enter(true);
    // Language and consent are asked once: a conversation that starts again goes
    // straight to the menu.
    w.wait_hours(25);
    w.send("Hello");
    CHECK(w.keys() == std::vector<std::string>{"menu.prompt"});
    w.send("MENU");
    CHECK(w.keys() == std::vector<std::string>{"menu.prompt"});
  }
  {
    Walk w(o);
    w.enter(false);
    w.wait_hours(25);
    w.send("Hello");
    CHECK(w.keys() == std::vector<std::string>{"menu.prompt"});
  }
}

void check_rights(const WalkOptions& o) {
  const std::vector<std::string> countries = {"uk", "it", "hr", "nl"};
  // Each topic and the key it answers with: the country's own text, or one text for
  // all countries (which speaks of the chosen country through {country}).
  const std::vector<std::pair<std::string, bool>> topics = {
      {"protection", true}, {"asylum", true},    {"health", true},  {"legal", true},
      {"work", true},       {"documents", true}, {"police", false}, {"numbers", true}};
  const std::vector<std::string> more_topics = {"rights.wages", "rights.forms", "safety.phone"};
  // By choice, with no country known from the number: every topic of every country.
  for (size_t c = 0; c < countries.size(); ++c) {
    Walk w(with_from(o, ""));
    w.enter();
    w.choose(kRights);
    CHECK(w.last_key() == "rights.country");
    w.choose(static_cast<int>(c) + 1);
    CHECK(w.last_key() == "rights.topics");
    for (size_t t = 0; t < topics.size(); ++t) {
      w.choose(static_cast<int>(t) + 1);
      INFO(countries[c] << " " << topics[t].first);
      const std::string key =
          topics[t].second ? "rights." + countries[c] + "." + topics[t].first : "rights." + topics[t].first;
      CHECK(w.keys() == std::vector<std::string>{key, "rights.more"});
      w.choose(1);  // other topics
      CHECK(w.last_key() == "rights.topics");
    }
    for (size_t t = 0; t < more_topics.size(); ++t) {
      w.choose(kMoreTopics);
      CHECK(w.last_key() == "rights.more_prompt");
      w.choose(static_cast<int>(t) + 1);
      INFO(countries[c] << " " << more_topics[t]);
      CHECK(w.keys() == std::vector<std::string>{more_topics[t], "rights.more"});
      w.choose(1);
      CHECK(w.last_key() == "rights.topics");
    }
    w.choose(kMoreTopics);
    w.choose(kMainMenu);
    CHECK(w.last_key() == "menu.prompt");
  }
  // By default from the number, and another country chosen from there.
  const std::vector<std::string> numbers = {"+447700900123", "+393123456789", "+385912345678",
                                            "+31612345678"};
  for (size_t c = 0; c < countries.size(); ++c) {
    Walk w(with_from(o, numbers[c]));
    w.enter();
    w.choose(kRights);
    INFO(numbers[c]);
    REQUIRE(w.last_key() == "rights.topics");
    w.choose(kProtection);
    CHECK(w.keys().front() == "rights." + countries[c] + ".protection");
    w.choose(1);
    w.choose(kMoreTopics);
    w.choose(kOtherCountry);
    CHECK(w.last_key() == "rights.country");
    w.choose(5);  // another country
    CHECK(w.keys().front() == "rights.other_country");
    CHECK(w.last_key() == "menu.prompt");
  }
}

void check_screening(const WalkOptions& o) {
  const std::vector<std::string> questions = {"vulnerability", "deception",  "movement",  "isolation",
                                              "violence",      "threats",    "documents", "wages",
                                              "debt",          "conditions", "overtime"};
  {  // Low: every question skipped or answered no.
    Walk w(o);
    w.enter();
    to_indicators(w);
    auto asked = answer_indicators(w, {kNo, kSkip, kNo, kNo, kNo, kNo, kNo, kNo, kNo, kNo, kNo});
    for (size_t i = 0; i < questions.size(); ++i) CHECK(asked[i] == "screen.q." + questions[i]);
    // The low result promises nothing and offers a person.
    CHECK(w.keys() == std::vector<std::string>{"screen.result.low", "screen.next"});
    CHECK_FALSE(w.has_event("handover"));
    w.choose(1);
    w.check_handover("general", "high");
  }
  {  // Medium: two light signs; then talk to a person.
    Walk w(o);
    w.enter();
    to_indicators(w);
    answer_indicators(w, {kNo, kYes, kNo, kNo, kNo, kNo, kNo, kYes, kNo, kNo, kNo});
    CHECK(w.keys() == std::vector<std::string>{"screen.result.medium", "screen.next"});
    CHECK_FALSE(w.has_event("handover"));
    w.choose(1);
    w.check_handover("general", "high");
  }
  {  // Medium, then the rights instead.
    Walk w(with_from(o, "+393123456789"));
    w.enter();
    to_indicators(w);
    answer_indicators(w, {kNo, kNo, kNo, kNo, kNo, kNo, kYes, kSkip, kSkip, kSkip, kSkip});
    CHECK(w.last_key() == "screen.next");
    w.choose(2);
    CHECK(w.last_key() == "rights.topics");
  }
  {  // High: documents kept, threats, withheld wages: urgent handover.
    Walk w(o);
    w.enter();
    to_indicators(w);
    answer_indicators(w, {kNo, kNo, kNo, kNo, kNo, kYes, kYes, kYes, kNo, kNo, kNo});
    CHECK(w.keys() == std::vector<std::string>{"screen.result.high", "helpdesk.queued"});
    w.check_handover("urgent", "urgent");
  }
  {  // Immediate danger: the emergency numbers first, then an urgent handover.
    Walk w(with_from(o, "+447700900123"));
    w.enter();
    w.choose(kScreening);
    w.choose(kYes);  // safe to answer
    w.choose(kYes);  // in danger
    CHECK(w.keys() == std::vector<std::string>{"crisis.numbers", "helpdesk.queued"});
    CHECK(w.last().replies[0].text.find("999") != std::string::npos);
    CHECK(w.last().replies[0].text.find("55") != std::string::npos);
    w.check_handover("urgent", "urgent");
  }
  {  // Not safe to answer now: nothing is asked; MENU later.
    Walk w(o);
    w.enter();
    w.choose(kScreening);
    w.choose(2);
    CHECK(w.keys() == std::vector<std::string>{"screen.later", "menu.prompt"});
  }
  {  // A yes to violence is acknowledged before the next question.
    Walk w(o);
    w.enter();
    to_indicators(w);
    answer_indicators(w, {kNo, kNo, kNo, kNo});
    CHECK(w.last_key() == "screen.q.violence");
    w.choose(kYes);
    CHECK(w.keys() == std::vector<std::string>{"screen.ack.violence", "screen.q.threats"});
  }
  // Under 18 or not sure, in the screening: child safeguarding, urgent.
  for (int age : {1, 3}) {
    Walk w(o);
    w.enter();
    w.choose(kScreening);
    w.choose(kYes);  // safe to answer
    w.choose(kSkip);
    CHECK(w.last_key() == "minor.age");
    w.choose(age);
    CHECK(w.keys() == std::vector<std::string>{"minor.kind", "helpdesk.queued"});
    w.check_handover("safeguarding", "urgent");
  }
}

void check_person_family_emergency(const WalkOptions& o) {
  for (int age : {1, 3}) {  // under 18, not sure
    Walk w(o);
    w.enter();
    w.choose(kPerson);
    CHECK(w.last_key() == "minor.age");
    w.choose(age);
    CHECK(w.keys() == std::vector<std::string>{"minor.kind", "helpdesk.queued"});
    w.check_handover("safeguarding", "urgent");
  }
  {
    Walk w(o);
    w.enter();
    w.choose(kPerson);
    w.choose(2);  // 18 or over
    // The handover's notice is the one message: the flow says nothing of its own.
    CHECK(w.keys() == std::vector<std::string>{"helpdesk.queued"});
    w.check_handover("general", "normal");
  }
  {
    Walk w(with_from(o, "+385912345678"));
    w.enter();
    w.choose(kFamily);
    CHECK(w.keys() == std::vector<std::string>{"family.info", "menu.prompt"});
    CHECK(w.last().replies[0].text.find("familylinks.icrc.org") != std::string::npos);
    w.choose(kEmergency);
    CHECK(w.keys() == std::vector<std::string>{"rights.hr.numbers", "menu.prompt"});
  }
  {
    Walk w(with_from(o, ""));
    w.enter();
    w.choose(kEmergency);
    CHECK(w.keys() == std::vector<std::string>{"emergency.numbers", "menu.prompt"});
  }
  {  // HUMAN from the middle of a question hands over at once.
    Walk w(o);
    w.enter();
    w.choose(kRights);
    w.send("HUMAN");
    w.check_handover("general", "normal");
  }
}

void check_erase_and_language(const WalkOptions& o) {
  {  // Confirmed: the confirmation is sent, then the erasure.
    Walk w(o);
    w.enter();
    w.choose(kErase);
    CHECK(w.last_key() == "erase.confirm");
    w.choose(kYes);
    CHECK(w.keys() == std::vector<std::string>{"erase.done"});
    CHECK(w.has_event("erasure"));
  }
  {  // Declined: nothing erased, back to the menu.
    Walk w(o);
    w.enter();
    w.choose(kErase);
    w.choose(kNo);
    CHECK(w.keys() == std::vector<std::string>{"erase.kept", "menu.prompt"});
    CHECK_FALSE(w.has_event("erasure"));
  }
  {  // DELETE from the middle of a question; declined, the question comes back.
    Walk w(o);
    w.enter();
    w.choose(kScreening);
    w.send("DELETE");
    CHECK(w.last_key() == "erase.confirm");
    w.choose(kNo);
    CHECK(w.keys() == std::vector<std::string>{"erase.kept", "screen.safe"});
    CHECK_FALSE(w.has_event("erasure"));
  }
  {  // Change language from the menu, and by keyword from the middle of a question.
    Walk w(o);
    w.enter();
    w.choose(kLanguage);
    CHECK(w.last_key() == "welcome.hello");
    CHECK(w.options() == 12);
    w.choose(language_option(o.language));
    CHECK(w.event("language")["language"] == o.language);
    CHECK(w.keys() == std::vector<std::string>{"welcome.language_set", "menu.prompt"});
    w.choose(kRights);
    w.send("LANGUAGE");
    CHECK(w.options() == 12);
    w.choose(language_option(o.language));
    CHECK(w.has_event("language"));
    CHECK(w.last_key() == "rights.country");  // the question is asked again
  }
}

// Every path of the shipped flows in `lang`, answering with `digits`. With
// `require_translated`, every reply after the language choice must be rendered
// in `lang` itself (no fallback to English).
void check_every_path(const std::string& lang, Digits digits, bool require_translated) {
  WalkOptions o;
  o.language = lang;
  o.digits = digits;
  o.require_translated = require_translated;
  check_languages_and_consent(o);
  check_rights(o);
  check_screening(o);
  check_person_family_emergency(o);
  check_erase_and_language(o);
}

}  // namespace

TEST_CASE("the shipped flows load with no errors or warnings", "[content][shipped][flows]") {
  auto flows = gw::load_flows(kRoot + "/flows");
  REQUIRE(flows.ok());
  auto catalog = gw::TemplateCatalog::load(kRoot + "/templates");
  REQUIRE(catalog.ok());
  std::set<std::string> keys;
  for (const auto& [key, t] : catalog->all()) keys.insert(key);
  std::string found;
  for (const auto& p : gw::check_flows(*flows, keys)) found += p.to_string() + "\n";
  INFO(found);
  CHECK(found.empty());
  for (const char* id : {"main", "language", "consent", "menu", "rights", "screening", "age", "minor",
                         "person", "family", "emergency", "erase"}) {
    INFO(id);
    CHECK(flows->find(id) != nullptr);
  }
}

TEST_CASE("a guessed language is offered first, never assumed", "[content][shipped][flows]") {
  Walk w(WalkOptions{"en", Digits::kLatin, "+447700900123", true});
  w.send("Hello");
  CHECK(w.last_key() == "welcome.hello");
  CHECK_FALSE(w.has_event("language"));
  REQUIRE(w.options() == 2);
  CHECK(w.last().replies[0].text.find("1. English\n2. ") != std::string::npos);
  w.choose(1);
  CHECK(w.event("language")["language"] == "en");
  CHECK(w.last_key() == "consent.ask");

  Walk other(WalkOptions{"en", Digits::kLatin, "+447700900123", true});
  other.send("Hello");
  other.choose(2);
  CHECK(other.options() == 12);
  CHECK(other.last().replies[0].text.find("2. العربية") != std::string::npos);
  CHECK_FALSE(other.has_event("language"));
  other.choose(8);
  CHECK(other.event("language")["language"] == "uk");
}

TEST_CASE("the first line of every shipped message avoids alarming words", "[content][shipped][flows]") {
  gw::SimulatorOptions so;
  auto sim = gw::Simulator::open(kRoot, so);
  REQUIRE(sim.ok());
  // Every template of the content: render each and look at its first line.
  const gw::Renderer& r = (*sim)->renderer();
  for (const std::string key : {"welcome.hello",
                                "consent.ask",
                                "safety.tip",
                                "menu.prompt",
                                "screen.safe",
                                "screen.danger",
                                "screen.result.low",
                                "screen.result.medium",
                                "screen.result.high",
                                "minor.kind",
                                "person.wait",
                                "erase.confirm",
                                "erase.done",
                                "emergency.now",
                                "family.info",
                                "crisis.numbers",
                                "crisis.offer",
                                "consent.details",
                                "helpdesk.out_of_hours_urgent",
                                "helpdesk.out_of_hours_minor"}) {
    auto out = r.render(key, "en", "sms", nlohmann::json{{"days", 90}, {"country", "GB"}});
    REQUIRE(out.ok());
    const std::string first = out->text.substr(0, out->text.find('\n'));
    INFO(key << ": " << first);
    for (const char* word : {"traffick", "exploit", "police", "Traffick", "Exploit", "Police"}) {
      CHECK(first.find(word) == std::string::npos);
    }
  }
}

TEST_CASE("the shipped flows count indicators, the screening result and rights topics by their tags",
          "[content][shipped][flows][stat]") {
  using Tags = std::vector<std::string>;
  {
    Walk w(WalkOptions{});
    w.enter();
    CHECK(w.take_stats().empty());  // language, consent and the menu count no topic
    to_indicators(w);
    CHECK(w.take_stats() == Tags{"topic:screening.started"});
    // Yes to deception (weight 1) and to wages withheld (weight 1): medium.
    answer_indicators(w, {kNo, kYes, kNo, kNo, kNo, kNo, kNo, kYes, kNo, kNo, kNo});
    CHECK(w.keys() == std::vector<std::string>{"screen.result.medium", "screen.next"});
    CHECK(w.take_stats() ==
          Tags{"indicator:deception", "indicator:withholding_of_wages", "screening:medium"});
    w.choose(1);  // talk to a person
    CHECK(w.take_stats().empty());
  }
  {  // Every indicator, each with its own code, in the ILO's order: high.
    Walk w(WalkOptions{});
    w.enter();
    to_indicators(w);
    w.take_stats();
    answer_indicators(w, std::vector<Answer>(11, kYes));
    Tags expected;
    for (const std::string& code : gw::ilo_indicator_codes()) expected.push_back("indicator:" + code);
    expected.push_back("screening:high");
    CHECK(w.take_stats() == expected);
  }
  {  // Rights: the topic of the country chosen.
    Walk w(with_from(WalkOptions{}, "+393123456789"));
    w.enter();
    w.choose(kRights);
    REQUIRE(w.last_key() == "rights.topics");
    w.choose(5);  // work
    CHECK(w.keys().front() == "rights.it.work");
    w.choose(1);
    w.choose(kMoreTopics);
    w.choose(1);  // pay owed
    CHECK(w.take_stats() == Tags{"topic:rights.it.work", "topic:rights.it.wages"});
  }
}

TEST_CASE("every path of the shipped flows in English", "[content][shipped][flows]") {
  check_every_path("en", Digits::kLatin, true);
}

TEST_CASE("the shipped flows accept Arabic-Indic and Persian digits", "[content][shipped][flows]") {
  // The English content, answered with other digits: the numbers are read the same.
  WalkOptions o;
  o.digits = Digits::kArabicIndic;
  check_erase_and_language(o);
  o.digits = Digits::kPersian;
  check_person_family_emergency(o);
}

// The same walk in Arabic and Ukrainian, on the drafted translations (served
// while they await review, as the gateway does by default).
TEST_CASE("every path of the shipped flows in Arabic, answered with Arabic-Indic digits",
          "[content][shipped][flows][translated-walk]") {
  check_every_path("ar", Digits::kArabicIndic, true);
}

TEST_CASE("every path of the shipped flows in Ukrainian", "[content][shipped][flows][translated-walk]") {
  check_every_path("uk", Digits::kLatin, true);
}
