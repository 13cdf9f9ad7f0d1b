// The studio's API on a real loopback server: roles, live checks on save,
// conflicts, PO files in and out, flow edits, publish, history and rollback.
#include "gateway/studio/studio_api.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "gateway/security/login_throttle.h"
#include "gateway/security/password_hasher.h"
#include "gateway/security/staff_sessions.h"
#include "tests/http/running_server.h"
#include "tests/studio/studio_fixture.h"
#include "tests/support/staff_login.h"
#include "tests/support/test_http_options.h"

using gw::http::testing::RunningServer;
using gw::http::testing::test_options;
using gw::testing::login;
using gw::testing::Session;
using nlohmann::json;

namespace {

const std::string kIntro =
    "Лінію веде {organisation}. Ми хотіли б зберігати ваш номер, повідомлення й відповіді (як коди) {days} "
    "днів "
    "після останнього повідомлення. Бачить їх лише персонал лінії.";

struct ApiFixture : gw::testing::StudioFixture {
  gw::metrics::Registry registry;
  gw::StaffSessions sessions{clock};
  gw::LoginThrottle throttle{clock};
  gw::PasswordHasher hasher{gw::PasswordHashOptions::for_tests()};
  gw::http::StaffAuth auth{*store, clock, sessions, throttle, false, gw::PasswordHashOptions::for_tests()};
  gw::http::HttpServer server{registry, test_options()};
  gw::StudioApi api{gw::StudioContext{auth, *store, clock, *library}};

  explicit ApiFixture(bool four_eyes = false) : StudioFixture(four_eyes) {
    auth.add_routes(server);
    api.add_routes(server);
    staff("otto", "operator");
    staff("edith", "editor");
    staff("emil", "editor");
    staff("lena", "editor", true);
    staff("sam", "supervisor");
  }

  void staff(const std::string& name, const std::string& role, bool reviewer = false) {
    gw::Account a;
    a.username = name;
    a.role = role;
    a.reviewer = reviewer;
    auto h = hasher.hash(name + " long password");
    REQUIRE(h.ok());
    a.password_hash = *h;
    REQUIRE(store->create_account(a).ok());
  }
};

httplib::Result post(httplib::Client& c, const std::string& path, const Session& s,
                     const json& body = json::object()) {
  return c.Post(path.c_str(), httplib::Headers{{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}, body.dump(),
                "application/json");
}

httplib::Result get(httplib::Client& c, const std::string& path, const Session& s) {
  return c.Get(path.c_str(), httplib::Headers{{"Cookie", s.cookie}});
}

json body_of(const httplib::Result& r) {
  REQUIRE(r);
  return json::parse(r->body);
}

}  // namespace

TEST_CASE("an operator gets 403 on every studio API", "[studio][api]") {
  ApiFixture f;
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session otto = login(c, "otto");
  for (const char* path :
       {"/api/studio/me", "/api/studio/templates", "/api/studio/templates/menu.prompt", "/api/studio/flows",
        "/api/studio/flows/menu", "/api/studio/flows/menu/graph.svg", "/api/studio/draft",
        "/api/studio/versions", "/api/studio/versions/1", "/api/studio/po/uk"}) {
    INFO(path);
    auto r = get(c, path, otto);
    REQUIRE(r);
    CHECK(r->status == 403);
  }
  for (const char* path :
       {"/api/studio/templates/menu.prompt", "/api/studio/templates/rights.uk.protection/review-facts",
        "/api/studio/translations/uk/menu.prompt", "/api/studio/translations/uk/menu.prompt/review",
        "/api/studio/check", "/api/studio/flows/menu", "/api/studio/draft/discard", "/api/studio/simulate",
        "/api/studio/publish", "/api/studio/versions/1/rollback", "/api/studio/po/uk"}) {
    INFO(path);
    auto r = post(c, path, otto);
    REQUIRE(r);
    CHECK(r->status == 403);
  }
  CHECK((*f.library->draft())->edits.empty());
}

TEST_CASE("a translation with a broken placeholder is refused and says which, and a good one is saved",
          "[studio][api]") {
  ApiFixture f;
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session edith = login(c, "edith");
  json t = body_of(get(c, "/api/studio/templates/consent.intro", edith));
  REQUIRE(t["translations"]["uk"]["msgstr"] == kIntro);
  const int64_t rev = t["translations"]["uk"]["revision"];

  std::string broken = kIntro;
  broken.replace(broken.find("{days}"), 6, "{dni}");
  auto live = body_of(
      post(c, "/api/studio/check", edith, {{"key", "consent.intro"}, {"lang", "uk"}, {"text", broken}}));
  CHECK(live["placeholders"]["missing"] == json::array({"days"}));
  CHECK(live["placeholders"]["extra"] == json::array({"dni"}));
  CHECK(live["errors"].get<int>() > 0);

  auto refused = post(c, "/api/studio/translations/uk/consent.intro", edith,
                      {{"msgstr", broken}, {"base_revision", rev}});
  REQUIRE(refused);
  CHECK(refused->status == 400);
  CHECK(refused->body.find("days") != std::string::npos);
  CHECK((*f.library->draft())->edits.empty());

  std::string fixed = kIntro;
  fixed.replace(fixed.find("Бачить їх"), std::string("Бачить їх").size(), "Їх бачить");
  auto saved = post(c, "/api/studio/translations/uk/consent.intro", edith,
                    {{"msgstr", fixed}, {"base_revision", rev}});
  REQUIRE(saved);
  CHECK(saved->status == 200);
  auto d = f.library->draft();
  CHECK((*d)->entries.at("translation:uk:consent.intro")["msgstr"] == fixed);
  CHECK((*d)->entries.at("translation:uk:consent.intro")["fuzzy"] == false);
}

TEST_CASE("a second editor saving from the same version is told and shown the first one's text",
          "[studio][api]") {
  ApiFixture f;
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session edith = login(c, "edith");
  Session emil = login(c, "emil");
  const int64_t rev =
      body_of(get(c, "/api/studio/templates/menu.prompt", edith))["translations"]["uk"]["revision"];
  auto first = post(c, "/api/studio/translations/uk/menu.prompt", edith,
                    {{"msgstr", "Що вам потрібно? Напишіть номер."}, {"base_revision", rev}});
  REQUIRE(first->status == 200);
  auto second = post(c, "/api/studio/translations/uk/menu.prompt", emil,
                     {{"msgstr", "Чим допомогти? Напишіть номер."}, {"base_revision", rev}});
  REQUIRE(second);
  CHECK(second->status == 409);
  json b = json::parse(second->body);
  CHECK(b["error"] == "conflict");
  CHECK(b["by"] == "edith");
  CHECK(b["current"]["msgstr"] == "Що вам потрібно? Напишіть номер.");
  CHECK((*f.library->draft())->entries.at("translation:uk:menu.prompt")["msgstr"] ==
        "Що вам потрібно? Напишіть номер.");
}

TEST_CASE("a PO file round-trips unchanged, and a broken one is refused with its line and nothing merged",
          "[studio][api]") {
  ApiFixture f;
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session edith = login(c, "edith");
  auto po = get(c, "/api/studio/po/uk", edith);
  REQUIRE(po);
  REQUIRE(po->status == 200);
  CHECK(po->body == f.library->published_files()->at("translations/uk.po"));
  CHECK(po->get_header_value("Content-Disposition").find("uk.po") != std::string::npos);
  httplib::Headers h{{"Cookie", edith.cookie}, {"X-CSRF-Token", edith.csrf}};

  auto same = c.Post("/api/studio/po/uk", h, po->body, "text/x-gettext-translation");
  REQUIRE(same);
  CHECK(same->status == 200);
  CHECK(json::parse(same->body)["merged"] == 0);
  CHECK(json::parse(same->body)["unchanged"].get<int>() > 100);

  std::string broken = po->body;
  broken.replace(broken.find("msgctxt \"menu.prompt\""), 21, "msgctxt \"menu.prompt");
  auto syntax = c.Post("/api/studio/po/uk", h, broken, "text/x-gettext-translation");
  REQUIRE(syntax);
  CHECK(syntax->status == 400);
  json problems = json::parse(syntax->body)["problems"];
  REQUIRE_FALSE(problems.empty());
  CHECK(problems[0]["line"].get<int>() > 0);

  std::string unknown = po->body;
  unknown.replace(unknown.find("msgctxt \"menu.prompt\""), 21, "msgctxt \"menu.promptx\"");
  auto refused = c.Post("/api/studio/po/uk", h, unknown, "text/x-gettext-translation");
  REQUIRE(refused);
  CHECK(refused->status == 400);
  CHECK(refused->body.find("menu.promptx") != std::string::npos);

  // A changed translation is merged into the draft as one entry.
  std::string changed = po->body;
  const std::string old_text = "Що вам потрібно? Надішліть номер.";
  changed.replace(changed.find(old_text), old_text.size(), "Що вам потрібно? Напишіть номер.");
  auto merged = c.Post("/api/studio/po/uk", h, changed, "text/x-gettext-translation");
  REQUIRE(merged);
  CHECK(merged->status == 200);
  CHECK(json::parse(merged->body)["merged"] == 1);
  auto changes = f.library->draft_changes();
  REQUIRE(changes->size() == 1);
  CHECK((*changes)[0].entry == "translation:uk:menu.prompt");
}

TEST_CASE("a flow edit that leaves a node unreachable is refused, and a good one is saved and drawn",
          "[studio][api]") {
  ApiFixture f;
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session edith = login(c, "edith");
  json flow = body_of(get(c, "/api/studio/flows/menu", edith));
  const int64_t rev = flow["revision"];
  json doc = flow["flow"];

  json lonely = doc;
  lonely["nodes"]["lonely"] = {{"type", "say"}, {"say", {"menu.bye"}}};
  auto refused = post(c, "/api/studio/flows/menu", edith, {{"flow", lonely}, {"base_revision", rev}});
  REQUIRE(refused);
  CHECK(refused->status == 400);
  CHECK(json::parse(refused->body)["error"] == "invalid_flow");
  CHECK(refused->body.find("lonely") != std::string::npos);

  json no_exit = doc;
  no_exit["nodes"]["ask"]["choices"][0]["next"] = "nowhere";
  auto dangling = post(c, "/api/studio/flows/menu", edith, {{"flow", no_exit}, {"base_revision", rev}});
  REQUIRE(dangling);
  CHECK(dangling->status == 400);
  CHECK((*f.library->draft())->edits.empty());

  // A new node wired in between the menu's last choice and where it led is fine.
  json wired = doc;
  wired["nodes"]["bye"] = {{"type", "say"}, {"say", {"menu.bye"}}, {"next", "language"}};
  wired["nodes"]["ask"]["choices"].back()["next"] = "bye";
  auto saved = post(c, "/api/studio/flows/menu", edith, {{"flow", wired}, {"base_revision", rev}});
  REQUIRE(saved);
  CHECK(saved->status == 200);
  auto svg = get(c, "/api/studio/flows/menu/graph.svg?lang=uk", edith);
  REQUIRE(svg);
  CHECK(svg->status == 200);
  CHECK(svg->body.find("id=\"node-bye\"") != std::string::npos);
  CHECK(svg->body.find("id=\"node-ask\"") != std::string::npos);
  // Saving again from the old revision is a conflict.
  auto stale = post(c, "/api/studio/flows/menu", edith, {{"flow", doc}, {"base_revision", rev}});
  REQUIRE(stale);
  CHECK(stale->status == 409);
}

TEST_CASE("publish, history with its diff, and rollback through the API", "[studio][api]") {
  ApiFixture f;
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session edith = login(c, "edith");
  Session lena = login(c, "lena");
  const std::string text = "Що вам потрібно? Напишіть номер.";
  REQUIRE(post(c, "/api/studio/translations/uk/menu.prompt", edith, {{"msgstr", text}, {"base_revision", 0}})
              ->status == 200);
  json draft = body_of(get(c, "/api/studio/draft", edith));
  CHECK(draft["changes"].size() == 1);
  CHECK(draft["errors"] == 0);
  CHECK(draft["can_publish"] == false);  // an editor without review rights
  CHECK(post(c, "/api/studio/publish", edith, {{"message", "x"}})->status == 403);
  CHECK(body_of(get(c, "/api/studio/draft", lena))["can_publish"] == true);

  auto published = post(c, "/api/studio/publish", lena, {{"message", "clearer question"}});
  REQUIRE(published);
  REQUIRE(published->status == 200);
  const int64_t v = json::parse(published->body)["version"];
  CHECK(f.live_text("menu.prompt", "uk") == text);

  json versions = body_of(get(c, "/api/studio/versions", edith));
  CHECK(versions["published"] == v);
  CHECK(versions["versions"][0]["message"] == "clearer question");
  CHECK(versions["versions"][0]["by"] == "lena");
  json one = body_of(get(c, "/api/studio/versions/" + std::to_string(v), edith));
  REQUIRE(one["changes"].size() == 1);
  CHECK(one["changes"][0]["entry"] == "translation:uk:menu.prompt");
  CHECK(one["changes"][0]["after"]["msgstr"] == text);

  const int64_t first = versions["versions"].back()["id"];
  auto back =
      post(c, "/api/studio/versions/" + std::to_string(first) + "/rollback", lena, {{"message", "undo"}});
  REQUIRE(back);
  CHECK(back->status == 200);
  CHECK(f.live_text("menu.prompt", "uk") == "Що вам потрібно? Надішліть номер.");
  CHECK(post(c, "/api/studio/publish", lena, {{"message", "nothing"}})->status == 409);  // empty draft
}

TEST_CASE("the draft simulator speaks the draft, not the published version", "[studio][api]") {
  ApiFixture f;
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session edith = login(c, "edith");
  REQUIRE(post(c, "/api/studio/translations/uk/menu.prompt", edith,
               {{"msgstr", "Що вам потрібно? Напишіть номер."}, {"base_revision", 0}})
              ->status == 200);
  json turn = body_of(
      post(c, "/api/studio/simulate", edith, {{"text", "MENU"}, {"language", "uk"}, {"channel", "sms"}}));
  std::string all;
  for (const auto& r : turn["replies"]) all += r["text"].get<std::string>() + "\n";
  CHECK(all.find("Напишіть номер") != std::string::npos);
  CHECK(f.live_text("menu.prompt", "uk") == "Що вам потрібно? Надішліть номер.");
}

TEST_CASE("a flow saved as it was read changes nothing, and one step's edit is one draft entry",
          "[studio][api]") {
  ApiFixture f;
  RunningServer running(f.server);
  httplib::Client c("127.0.0.1", running.port());
  Session edith = login(c, "edith");
  using ojson = nlohmann::ordered_json;
  auto r = get(c, "/api/studio/flows/menu", edith);
  REQUIRE(r);
  ojson flow = ojson::parse(r->body);
  // Members come in the file's order, not sorted.
  CHECK(flow["flow"].begin().key() == "id");
  const int64_t rev = flow["revision"];
  auto same = c.Post("/api/studio/flows/menu",
                     httplib::Headers{{"Cookie", edith.cookie}, {"X-CSRF-Token", edith.csrf}},
                     ojson{{"flow", flow["flow"]}, {"base_revision", rev}}.dump(), "application/json");
  REQUIRE(same);
  CHECK(same->status == 200);
  CHECK(json::parse(same->body)["changed"] == 0);
  ojson edited = flow["flow"];
  edited["nodes"]["stuck"]["priority"] = "high";
  auto one = c.Post("/api/studio/flows/menu",
                    httplib::Headers{{"Cookie", edith.cookie}, {"X-CSRF-Token", edith.csrf}},
                    ojson{{"flow", edited}, {"base_revision", rev}}.dump(), "application/json");
  REQUIRE(one);
  CHECK(one->status == 200);
  auto d = f.library->draft();
  REQUIRE((*d)->edits.size() == 1);
  CHECK((*d)->edits[0].entry == "node:menu/stuck");
  // The flow file differs from the shipped one in that node's line only.
  const std::string before = gw::testing::shipped_content().at("flows/menu.json");
  const std::string after = (*d)->files->at("flows/menu.json");
  CHECK(after.size() + std::string("normal").size() == before.size() + std::string("high").size());
  CHECK(after.find(R"("priority": "high")") != std::string::npos);
}
