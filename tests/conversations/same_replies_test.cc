// The gateway, the simulator and the helpdesk put a message into words the same
// way (ReplyComposer) and apply a flow's effects the same way (apply_effects):
// the simulator shows exactly what a person gets, the handover notice included,
// and a missing translation falls back alike everywhere.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gateway/content/content_set.h"
#include "gateway/content/flow_files.h"
#include "gateway/content/reply_composer.h"
#include "gateway/conversations/conversations.h"
#include "gateway/content/renderer_lexicon.h"
#include "gateway/conversations/simulator.h"
#include "gateway/helpdesk/person_messages.h"
#include "tests/store/store_fixture.h"
#include "tests/support/temp_dir.h"

namespace {

namespace fs = std::filesystem;

constexpr const char* kNumber = "+447700900123";

// Conversations over the content of `dir`, and a Simulator over the same.
struct Both : gw::testing::StoreFixture {
  explicit Both(const std::string& root, const std::string& language = "")
      : content_dir(root),
        catalog(*gw::TemplateCatalog::load(root + "/templates")),
        renderer(*gw::load_content(root)),
        flows(*gw::load_flows(root + "/flows")),
        simulator(*gw::load_simulator_content(root), options(language)) {
    bot.set_helpdesk(gw::HelpdeskLink{&helpdesk, nullptr});
    if (!language.empty()) {
      gw::Contact c = contact(kNumber);
      c.language = language;
      REQUIRE(store->update_contact(c).ok());
    }
  }
  static gw::SimulatorOptions options(const std::string& language) {
    gw::SimulatorOptions o;
    o.language = language;
    o.from = kNumber;
    o.channel = "sms";
    return o;
  }

  std::string content_dir;
  gw::TemplateCatalog catalog;
  gw::Renderer renderer;
  gw::FlowSet flows;
  gw::RendererLexicon lexicon{renderer};
  gw::Engine engine{lexicon};
  gw::HelpdeskConfig helpdesk;  // every queue always open
  gw::Conversations bot{*store, clock, catalog, nullptr, gw::Bot{&flows, &renderer, &engine}};
  gw::Simulator simulator;
  int sid = 0;

  // What the gateway queued for `body`, as (template key, text) pairs.
  std::vector<std::pair<std::string, std::string>> gateway_turn(const std::string& body) {
    gw::InboundMessage m;
    m.channel_id = "uk-sms";
    m.kind = gw::ChannelKind::kSms;
    m.from = kNumber;
    m.body = body;
    m.provider_id = "SM" + std::to_string(++sid);
    auto r = bot.receive(m);
    REQUIRE(r.ok());
    auto conv = store->open_or_get_conversation(r->contact_id, "uk-sms", clock.now());
    auto all = store->list_messages(conv->id);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& msg : *all) {
      if (msg.direction == "out") out.emplace_back(msg.template_key, msg.body);
    }
    return {out.end() - r->queued, out.end()};
  }
  std::vector<std::pair<std::string, std::string>> simulated_turn(const std::string& body) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& reply : simulator.send(body, clock.now()).replies)
      out.emplace_back(reply.key, reply.text);
    return out;
  }
  // Sends each line to both and checks they answer alike; returns the last answer.
  std::vector<std::pair<std::string, std::string>> converse(const std::vector<std::string>& lines) {
    std::vector<std::pair<std::string, std::string>> last;
    for (const std::string& line : lines) {
      INFO(line);
      last = gateway_turn(line);
      CHECK(simulated_turn(line) == last);
      CHECK_FALSE(last.empty());
    }
    return last;
  }
};

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A copy of the shipped content whose `lang` translation of `key` is missing.
std::string content_without(const gw::testing::TempDir& dir, const std::string& lang,
                            const std::string& key) {
  const fs::path root = dir.path() / "content";
  for (const char* folder : {"flows", "templates", "translations"}) {
    fs::create_directories(root / folder);
    fs::copy(fs::path(GATEWAY_SOURCE_DIR) / folder, root / folder, fs::copy_options::recursive);
  }
  const fs::path po = root / "translations" / (lang + ".po");
  std::string text = read(po);
  const size_t entry = text.find("msgctxt \"" + key + "\"\n");
  REQUIRE(entry != std::string::npos);
  const size_t msgstr = text.find("\nmsgstr ", entry);
  REQUIRE(msgstr != std::string::npos);
  const size_t end = text.find("\n\n", msgstr + 1);
  text.replace(msgstr, (end == std::string::npos ? text.size() : end) - msgstr, "\nmsgstr \"\"");
  std::ofstream(po, std::ios::trunc) << text;
  return root.string();
}

}  // namespace

TEST_CASE("the simulator shows the very texts the gateway queues, turn by turn, up to the handover notice",
          "[conversations][simulator][composer]") {
  Both f(GATEWAY_SOURCE_DIR);
  // English, consent given, "talk to a person", 18 or over: a handover.
  auto last = f.converse({"hello", "1", "1", "3", "2"});
  REQUIRE(last.size() == 1);
  CHECK(last[0].first == "helpdesk.queued");
  CHECK(last[0].second == f.renderer.render("helpdesk.queued", "en", "sms", {{"position", 1}})->text);
}

TEST_CASE(
    "after answers that match nothing, the simulator and the gateway give the same unclear-handover notice",
    "[conversations][simulator][composer]") {
  Both f(GATEWAY_SOURCE_DIR);
  f.converse({"hello", "1", "1"});
  std::vector<std::pair<std::string, std::string>> last;
  for (const char* line : {"what", "hmm", "ok"}) {
    last = f.gateway_turn(line);
    CHECK(f.simulated_turn(line) == last);
  }
  REQUIRE_FALSE(last.empty());
  CHECK(last.back().first == "helpdesk.queued_unclear");
}

TEST_CASE("a missing translation falls back to the same text in the gateway, the simulator and the helpdesk",
          "[conversations][simulator][composer]") {
  gw::testing::TempDir dir;
  const std::string content = content_without(dir, "ar", "helpdesk.queued");
  Both f(content, "ar");
  // Arabic chosen earlier: the consent question in Arabic, then HUMAN hands over.
  auto first = f.converse({"hello"});
  CHECK(first.back().second.rfind(f.renderer.render(first.back().first, "ar", "sms")->text, 0) == 0);
  auto last = f.converse({"HUMAN"});
  REQUIRE(last.size() == 1);
  CHECK(last[0].first == "helpdesk.queued");
  const std::string english = f.renderer.render("helpdesk.queued", "en", "sms", {{"position", 1}})->text;
  CHECK(last[0].second == english);

  // The helpdesk's own messages to the person: the same words.
  gw::PersonMessages person(*f.store, f.catalog, &f.renderer,
                            gw::ChannelKinds(std::map<std::string, std::string>{{"uk-sms", "twilio"}}));
  gw::Contact c = f.contact(kNumber);
  REQUIRE(c.language == "ar");
  CHECK(person.render("helpdesk.queued", c, {{"position", 1}}) == english);
}

TEST_CASE("one fallback rule: the renderer, else the source text formatted, else the source text as it is",
          "[composer]") {
  gw::TemplateCatalog catalog = *gw::TemplateCatalog::load(std::string(GATEWAY_SOURCE_DIR) + "/templates");
  gw::Renderer renderer{*gw::load_content(GATEWAY_SOURCE_DIR)};
  gw::ReplyComposer with(catalog, &renderer);
  gw::ReplyComposer without(catalog, nullptr);
  const nlohmann::json one = {{"position", 1}};
  // Rendered: the person's language when it has the text.
  auto ar = with.compose("helpdesk.queued", "ar", "sms", one);
  CHECK(ar.language == "ar");
  CHECK(ar.text == renderer.render("helpdesk.queued", "ar", "sms", one)->text);
  // No renderer: the source text, formatted — no ICU syntax left in it.
  auto plain = without.compose("helpdesk.queued", "ar", "sms", one);
  CHECK(plain.language == "en");
  CHECK(plain.text == renderer.render("helpdesk.queued", "en", "sms", one)->text);
  CHECK(plain.text.find("plural") == std::string::npos);
  // An unknown channel (the renderer refuses it): the same formatted source text.
  CHECK(with.compose("helpdesk.queued", "ar", "carrier-pigeon", one).text == plain.text);
  // A variable missing: the source text as it is; an unknown key: the key.
  CHECK(with.compose("helpdesk.queued", "ar", "sms").text == catalog.text("helpdesk.queued"));
  CHECK(with.compose("no.such.key", "ar", "sms").text == "no.such.key");
  // Choices: "\nN. label", each label by the same rule.
  auto say = with.compose("welcome.hello", {}, {"welcome.lang.en", "no.such.label"}, "en", "sms");
  CHECK(say.text == renderer.render("welcome.hello", "en", "sms")->text + "\n1. " +
                        renderer.render("welcome.lang.en", "en", "sms")->text + "\n2. no.such.label");
}
