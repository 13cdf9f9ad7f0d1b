// The shipped consent question through Conversations: it names who runs the
// line (config organisation.name, else the translated default), and "Tell me
// more first" gives the details on pages of their own before the same yes/no.
#include <catch2/catch.hpp>

#include "gateway/content/content_set.h"
#include "gateway/content/flow_files.h"
#include "gateway/conversations/conversations.h"
#include "gateway/content/renderer_lexicon.h"
#include "tests/store/store_fixture.h"
#include "tests/support/inbound_sms.h"

namespace {

struct ConsentFixture : gw::testing::StoreFixture {
  explicit ConsentFixture(const std::string& organisation) : renderer(content(), {}, options(organisation)) {}
  static gw::ContentSet content() { return *gw::load_content(GATEWAY_SOURCE_DIR); }
  static gw::RenderOptions options(const std::string& organisation) {
    gw::RenderOptions o;
    o.organisation = organisation;
    return o;
  }
  gw::TemplateCatalog catalog = *gw::TemplateCatalog::load(std::string(GATEWAY_SOURCE_DIR) + "/templates");
  gw::Renderer renderer;
  gw::FlowSet flows = *gw::load_flows(std::string(GATEWAY_SOURCE_DIR) + "/flows");
  gw::RendererLexicon lexicon{renderer};
  gw::Engine engine{lexicon};
  gw::Conversations bot{*store, clock, catalog, nullptr, gw::Bot{&flows, &renderer, &engine}};
  gw::testing::InboundSms sms;

  gw::ReceiveResult say(const std::string& body) {
    auto r = bot.receive(sms(body));
    REQUIRE(r.ok());
    return *r;
  }
  std::vector<gw::Message> out(int64_t contact_id) {
    auto conv = store->open_or_get_conversation(contact_id, "uk-sms", clock.now());
    auto all = store->list_messages(conv->id);
    std::vector<gw::Message> o;
    for (auto& m : *all) {
      if (m.direction == "out") o.push_back(m);
    }
    return o;
  }
};

}  // namespace

TEST_CASE("consent names the configured organisation, and the details page comes before the same question",
          "[conversations][consent]") {
  ConsentFixture f("the British Red Cross");
  auto r = f.say("hello");
  f.say("1");  // English
  auto o = f.out(r.contact_id);
  REQUIRE(o.size() >= 2);
  const auto& intro = o[o.size() - 2];
  const auto& ask = o.back();
  REQUIRE(intro.template_key == "consent.intro");
  CHECK(intro.body.find("run by the British Red Cross") != std::string::npos);
  CHECK(intro.body.find("90 days") != std::string::npos);
  REQUIRE(ask.template_key == "consent.ask");
  CHECK(ask.body.find("3. Tell me more first") != std::string::npos);
  const size_t before = f.out(r.contact_id).size();
  f.say("3");
  auto all = f.out(r.contact_id);
  REQUIRE(all.size() == before + 2);
  CHECK(all[before].template_key == "consent.details");
  CHECK(all[before].body.find("DELETE cannot erase") != std::string::npos);
  CHECK(all[before].body.find("the British Red Cross, not by the police") != std::string::npos);
  CHECK(all[before + 1].template_key == "consent.details2");
  CHECK(all[before + 1].body.find("1. Yes") != std::string::npos);
  f.say("1");
  CHECK(f.store->get_contact(r.contact_id)->consent == "given");
}

TEST_CASE("without a configured organisation the translated default is named", "[conversations][consent]") {
  ConsentFixture f("");
  auto r = f.say("hello");
  f.say("1");
  auto o = f.out(r.contact_id);
  REQUIRE(o.size() >= 2);
  CHECK(o[o.size() - 2].body.find("run by a humanitarian organisation") != std::string::npos);
  auto ar = f.renderer.render("consent.intro", "ar", "sms", {{"days", 90}});
  REQUIRE(ar.ok());
  CHECK(ar->text.find(f.renderer.render("organisation.default", "ar", "sms")->text) != std::string::npos);
  CHECK(ar->text.find("humanitarian") == std::string::npos);
}
