// OwnFlowFixture: Conversations on a file store, speaking a main flow of the
// test's own (with the shipped templates), so that a test does not depend on
// the shipped flows. say() sends an SMS from a test person through receive().
#pragma once

#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "gateway/content/content_set.h"
#include "gateway/content/flow_files.h"
#include "gateway/content/renderer_lexicon.h"
#include "gateway/conversations/conversations.h"
#include "tests/store/store_fixture.h"
#include "tests/support/inbound_sms.h"

namespace gw::testing {

struct OwnFlowFixture : StoreFixture {
  // `main_flow`: the JSON of flows/main.json; globals.json has no keywords.
  explicit OwnFlowFixture(const char* main_flow) : StoreFixture(/*in_file=*/true), flows(load(main_flow)) {}

  TemplateCatalog catalog = *TemplateCatalog::load(std::string(GATEWAY_SOURCE_DIR) + "/templates");
  Renderer renderer{*load_content(GATEWAY_SOURCE_DIR)};
  TempDir flow_dir;
  FlowSet flows;
  RendererLexicon lexicon{renderer};
  Engine engine{lexicon};
  Conversations bot{*store, clock, catalog, nullptr, Bot{&flows, &renderer, &engine}};
  InboundSms new_sms;

  FlowSet load(const char* main_flow) {
    std::ofstream(flow_dir.path() / "main.json") << main_flow;
    std::ofstream(flow_dir.path() / "globals.json") << R"({"entry": "main", "keywords": []})";
    auto f = load_flows(flow_dir.path().string());
    if (!f) FAIL(f.error().to_string());
    return std::move(*f);
  }

  ReceiveResult say(const std::string& body, const std::string& from = "+447700900123") {
    auto r = bot.receive(new_sms(body, from));
    REQUIRE(r.ok());
    return *r;
  }
};

}  // namespace gw::testing
