// ContentStore (on SQLite, and on PostgreSQL in the postgres: pass): versions of
// the content as files, and the draft's entries with revisions that refuse a
// save against an older one, also when two writers race.
#include <catch2/catch.hpp>
#include <latch>
#include <thread>
#include <vector>

#include "tests/store/store_fixture.h"

namespace {

gw::ContentStore& content(gw::testing::StoreFixture& f) {
  gw::ContentStore* c = f.store->content_store();
  REQUIRE(c != nullptr);
  return *c;
}

gw::ContentVersion version(const std::string& origin, const std::string& author = "gateway") {
  gw::ContentVersion v;
  v.origin = origin;
  v.author = author;
  v.message = origin + " by " + author;
  v.digest = "d-" + origin;
  return v;
}

}  // namespace

TEST_CASE("content versions keep their files exactly and list newest first", "[store][content][contract]") {
  gw::testing::StoreFixture f;
  gw::ContentStore& c = content(f);
  REQUIRE(c.latest_content_version()->has_value() == false);
  std::map<std::string, std::string> v1 = {{"flows/menu.json", "{\"id\": \"menu\"}\n"},
                                           {"translations/ar.po", std::string("msgid \"\"\0x\n", 12)}};
  auto id1 = c.add_content_version(version("files"), v1, 0);
  REQUIRE(id1.ok());
  std::map<std::string, std::string> v2 = v1;
  v2["flows/menu.json"] = "{\"id\": \"menu\", \"start\": \"a\"}\n";
  auto id2 = c.add_content_version(version("publish", "olga"), v2, *id1);
  REQUIRE(id2.ok());
  CHECK(*id2 > *id1);

  CHECK(*c.content_version_files(*id1) == v1);  // a NUL byte and all
  CHECK(*c.content_version_files(*id2) == v2);
  auto list = c.list_content_versions(10);
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].id == *id2);
  CHECK((*list)[0].author == "olga");
  CHECK((*list)[1].origin == "files");
  CHECK((*c.latest_content_version())->id == *id2);
  CHECK(c.content_version_files(999).error().code == gw::ErrorCode::kNotFound);
}

TEST_CASE("a content version is added only on top of the newest one expected", "[store][content][contract]") {
  gw::testing::StoreFixture f;
  gw::ContentStore& c = content(f);
  auto first = c.add_content_version(version("files"), {{"flows/a.json", "a"}}, 0);
  REQUIRE(first.ok());
  // Two publishes that both started from the first: the second loses, and writes nothing.
  REQUIRE(c.add_content_version(version("publish", "olga"), {{"flows/a.json", "b"}}, *first).ok());
  auto lost = c.add_content_version(version("publish", "amina"), {{"flows/a.json", "c"}}, *first);
  REQUIRE_FALSE(lost.ok());
  CHECK(lost.error().code == gw::ErrorCode::kAlreadyExists);
  CHECK(c.list_content_versions(10)->size() == 2);
  CHECK(c.add_content_version(version("files"), {}, 0).error().code == gw::ErrorCode::kAlreadyExists);
}

TEST_CASE("a draft entry saved against an older revision is refused and the newer one kept",
          "[store][content][contract]") {
  gw::testing::StoreFixture f;
  gw::ContentStore& c = content(f);
  auto now = f.clock.now();
  auto r1 = c.put_draft_entry("translation:uk:menu.prompt", R"({"msgstr":"A"})", 0, 1, "olga", now);
  REQUIRE(r1.ok());
  // Amina started from the published text (revision 0) too: she is told.
  auto late = c.put_draft_entry("translation:uk:menu.prompt", R"({"msgstr":"B"})", 0, 2, "amina", now);
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == gw::ErrorCode::kAlreadyExists);
  auto entries = c.list_draft_entries();
  REQUIRE(entries->size() == 1);
  CHECK((*entries)[0].value_json == std::optional<std::string>(R"({"msgstr":"A"})"));
  CHECK((*entries)[0].author == "olga");
  // Saving on top of Olga's revision works.
  auto r2 = c.put_draft_entry("translation:uk:menu.prompt", R"({"msgstr":"B"})", *r1, 2, "amina", now);
  REQUIRE(r2.ok());
  CHECK(*r2 > *r1);
  // A removal is a draft entry without a value.
  REQUIRE(c.put_draft_entry("node:menu/stuck", std::nullopt, 0, 2, "amina", now).ok());
  entries = c.list_draft_entries();
  REQUIRE(entries->size() == 2);
  CHECK((*entries)[0].entry == "node:menu/stuck");
  CHECK_FALSE((*entries)[0].value_json.has_value());
  CHECK((*entries)[0].in_draft);
}

TEST_CASE("clearing the draft keeps revisions so an old view still conflicts", "[store][content][contract]") {
  gw::testing::StoreFixture f;
  gw::ContentStore& c = content(f);
  auto now = f.clock.now();
  auto r1 = c.put_draft_entry("template:menu.prompt", R"({"text":"A"})", 0, 1, "olga", now);
  REQUIRE(r1.ok());
  REQUIRE(c.clear_draft_entries({}).ok());  // published
  auto entries = c.list_draft_entries();
  REQUIRE(entries->size() == 1);
  CHECK_FALSE((*entries)[0].in_draft);
  CHECK((*entries)[0].revision == *r1);
  // A view from before the publish (revision 0) is stale.
  CHECK(c.put_draft_entry("template:menu.prompt", R"({"text":"C"})", 0, 2, "amina", now).error().code ==
        gw::ErrorCode::kAlreadyExists);
  // A rollback changes an entry under everyone's view: its revision moves on.
  REQUIRE(c.touch_entries({"template:menu.prompt", "template:menu.bye"}, 3, "sam", now).ok());
  entries = c.list_draft_entries();
  REQUIRE(entries->size() == 2);
  for (const auto& e : *entries) {
    CHECK_FALSE(e.in_draft);
    CHECK(e.author == "sam");
    CHECK(e.revision > *r1);
  }
  CHECK(c.put_draft_entry("template:menu.prompt", R"({"text":"C"})", *r1, 2, "amina", now).error().code ==
        gw::ErrorCode::kAlreadyExists);
}

TEST_CASE("an account's review right is stored", "[store][content][contract]") {
  gw::testing::StoreFixture f;
  gw::Account a;
  a.username = "lena";
  a.role = "editor";
  a.password_hash = "x";
  a.reviewer = true;
  auto id = f.store->create_account(a);
  REQUIRE(id.ok());
  CHECK((*f.store->get_account(*id))->reviewer);
  a.id = *id;
  a.reviewer = false;
  REQUIRE(f.store->update_account(a).ok());
  CHECK_FALSE((*f.store->get_account(*id))->reviewer);
}

TEST_CASE("two publishes on top of the same version at once: one wins, the other is told",
          "[store][content][contract]") {
  gw::testing::StoreFixture f;
  gw::ContentStore& c = content(f);
  auto first = c.add_content_version(version("files"), {{"flows/a.json", "a"}}, 0);
  REQUIRE(first.ok());
  int64_t expected = *first;
  // Rounds, so that an unguarded check-then-insert shows at least once.
  for (int round = 0; round < 10; ++round) {
    std::latch start(2);
    gw::Result<int64_t> added[2] = {gw::Error::internal("not run"), gw::Error::internal("not run")};
    std::vector<std::thread> publishers;
    for (int i = 0; i < 2; ++i) {
      publishers.emplace_back([&, i] {
        const std::string body = "round " + std::to_string(round) + " by " + std::to_string(i);
        start.arrive_and_wait();
        added[i] = c.add_content_version(version("publish", i == 0 ? "olga" : "amina"),
                                         {{"flows/a.json", body}, {"flows/shared.json", "same"}}, expected);
      });
    }
    for (std::thread& t : publishers) t.join();
    INFO("round " << round);
    REQUIRE(added[0].ok() != added[1].ok());
    const int winner = added[0].ok() ? 0 : 1;
    CHECK(added[1 - winner].error().code == gw::ErrorCode::kAlreadyExists);
    CHECK(*added[winner] > expected);
    CHECK((*c.latest_content_version())->id == *added[winner]);
    // The loser wrote nothing: the winner's files are its own.
    CHECK(c.content_version_files(*added[winner])->at("flows/a.json") ==
          "round " + std::to_string(round) + " by " + std::to_string(winner));
    expected = *added[winner];
  }
  CHECK(c.list_content_versions(100)->size() == 11);
}

TEST_CASE("two saves of one draft entry from the same revision at once: one wins, the other is told",
          "[store][content][contract]") {
  gw::testing::StoreFixture f;
  gw::ContentStore& c = content(f);
  int64_t base = 0;
  for (int round = 0; round < 10; ++round) {
    std::latch start(2);
    gw::Result<int64_t> saved[2] = {gw::Error::internal("not run"), gw::Error::internal("not run")};
    std::vector<std::thread> editors;
    for (int i = 0; i < 2; ++i) {
      editors.emplace_back([&, i] {
        start.arrive_and_wait();
        saved[i] = c.put_draft_entry("template:menu.prompt", "{\"text\":\"" + std::to_string(i) + "\"}", base,
                                     i + 1, i == 0 ? "olga" : "amina", f.clock.now());
      });
    }
    for (std::thread& t : editors) t.join();
    INFO("round " << round);
    REQUIRE(saved[0].ok() != saved[1].ok());
    const int winner = saved[0].ok() ? 0 : 1;
    CHECK(saved[1 - winner].error().code == gw::ErrorCode::kAlreadyExists);
    auto entries = c.list_draft_entries();
    REQUIRE(entries->size() == 1);
    CHECK((*entries)[0].revision == *saved[winner]);
    CHECK((*entries)[0].author == (winner == 0 ? "olga" : "amina"));
    base = *saved[winner];
  }
}
