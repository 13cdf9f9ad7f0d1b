// ContentLibrary: versions in the store, the draft, publish (atomic and live at
// once), rollback, concurrent edits and the rules that keep unchecked content
// from reaching a person.
#include "gateway/studio/content_library.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/studio/studio_fixture.h"

using gw::testing::StudioFixture;
using ojson = nlohmann::ordered_json;

namespace {

const std::string kPrompt = "translation:uk:menu.prompt";
const std::string kOldPrompt = "Що вам потрібно? Надішліть номер.";
const std::string kNewPrompt = "Що вам потрібно? Напишіть номер.";

}  // namespace

TEST_CASE("the shipped files are the first version, byte for byte", "[studio]") {
  StudioFixture f;
  auto versions = f.library->versions(10);
  REQUIRE(versions->size() == 1);
  CHECK((*versions)[0].origin == "files");
  CHECK(f.library->published_version() == (*versions)[0].id);
  CHECK(*f.library->published_files() == gw::testing::shipped_content());
  CHECK(f.live_text("menu.prompt", "uk") == kOldPrompt);
  // The draft is the published version until someone edits.
  auto d = f.library->draft();
  REQUIRE(d.ok());
  CHECK((*d)->edits.empty());
  CHECK(*(*d)->files == gw::testing::shipped_content());
  CHECK(f.library->draft_changes()->empty());
}

TEST_CASE("an edit stays in the draft until it is published, then is live at once", "[studio]") {
  StudioFixture f;
  const auto olga = StudioFixture::person("olga", "editor");
  const auto sam = StudioFixture::person("sam", "supervisor");
  f.save(kPrompt, ojson{{"msgstr", kNewPrompt}, {"fuzzy", false}}, olga);
  CHECK(f.live_text("menu.prompt", "uk") == kOldPrompt);
  auto changes = f.library->draft_changes();
  REQUIRE(changes->size() == 1);
  CHECK((*changes)[0].entry == kPrompt);
  CHECK((*changes)[0].by == "olga");
  CHECK((*(*changes)[0].after)["msgstr"] == kNewPrompt);

  auto published = f.library->publish(sam, "clearer menu question");
  REQUIRE(published.ok());
  REQUIRE_FALSE(published->refused.has_value());
  CHECK(f.library->published_version() == published->version);
  CHECK(f.library->live().current()->version == published->version);
  CHECK(f.live_text("menu.prompt", "uk") == kNewPrompt);
  CHECK((*f.library->draft())->edits.empty());
  // The version records who, the message and what changed.
  auto v = f.library->version(published->version);
  REQUIRE(v->has_value());
  CHECK((*v)->author == "sam");
  CHECK((*v)->message == "clearer menu question");
  CHECK((*v)->changes == 1);
  auto recorded = nlohmann::json::parse((*v)->changes_json);
  CHECK(recorded[0]["entry"] == kPrompt);
  CHECK(recorded[0]["before"]["msgstr"] == kOldPrompt);
  CHECK(recorded[0]["after"]["msgstr"] == kNewPrompt);
  CHECK(recorded[0]["by"] == "olga");
  // Only uk.po changed in the new version's files.
  auto before = gw::testing::shipped_content();
  int differing = 0;
  for (const auto& [path, bytes] : *f.library->published_files()) {
    if (before[path] != bytes) {
      ++differing;
      CHECK(path == "translations/uk.po");
    }
  }
  CHECK(differing == 1);
}

TEST_CASE("publishing with an error in the checks is refused and changes nothing", "[studio]") {
  StudioFixture f;
  const auto sam = StudioFixture::person("sam", "supervisor");
  const int64_t before = f.library->published_version();
  f.save("node:menu/stuck", ojson{{"type", "say"}, {"say", {"menu.bye"}}, {"next", "nowhere"}}, sam);
  auto published = f.library->publish(sam, "broken");
  REQUIRE(published.ok());
  REQUIRE(published->refused.has_value());
  CHECK(published->refused->code == "check_failed");
  REQUIRE_FALSE(published->refused->findings.empty());
  CHECK(published->refused->findings[0].line.find("nowhere") != std::string::npos);
  CHECK(f.library->published_version() == before);
  CHECK(f.library->versions(10)->size() == 1);
  CHECK(f.library->live().current()->flows.find("menu", "stuck")->kind == gw::NodeKind::kHandover);
}

TEST_CASE("who may publish: review rights, and four eyes when the config asks", "[studio]") {
  SECTION("an editor without review rights cannot publish") {
    StudioFixture f;
    const auto olga = StudioFixture::person("olga", "editor");
    f.save(kPrompt, ojson{{"msgstr", kNewPrompt}, {"fuzzy", false}}, olga);
    auto p = f.library->publish(olga, "");
    REQUIRE(p->refused.has_value());
    CHECK(p->refused->code == "forbidden");
    auto reviewer = StudioFixture::person("lena", "editor", true);
    CHECK_FALSE(f.library->publish(reviewer, "")->refused.has_value());
  }
  SECTION("with four eyes the last editor of a changed entry cannot publish it") {
    StudioFixture f(true);
    const auto lena = StudioFixture::person("lena", "editor", true);
    const auto sam = StudioFixture::person("sam", "supervisor");
    f.save(kPrompt, ojson{{"msgstr", kNewPrompt}, {"fuzzy", false}}, lena);
    auto p = f.library->publish(lena, "");
    REQUIRE(p->refused.has_value());
    CHECK(p->refused->code == "four_eyes");
    CHECK(p->refused->entries == std::vector<std::string>{kPrompt});
    CHECK(f.live_text("menu.prompt", "uk") == kOldPrompt);
    CHECK_FALSE(f.library->publish(sam, "")->refused.has_value());
    CHECK(f.live_text("menu.prompt", "uk") == kNewPrompt);
  }
}

TEST_CASE("a changed text that states facts is published only with its facts reviewed", "[studio]") {
  StudioFixture f;
  const auto sam = StudioFixture::person("sam", "supervisor");
  auto d = f.library->draft();
  ojson nrm = (*d)->entries.at("template:rights.uk.protection");
  nrm["text"] = nrm["text"].get<std::string>() + " Ask us how.";
  f.save("template:rights.uk.protection", nrm, sam);
  auto p = f.library->publish(sam, "");
  REQUIRE(p->refused.has_value());
  CHECK(p->refused->code == "facts_not_reviewed");
  CHECK(p->refused->entries == std::vector<std::string>{"template:rights.uk.protection"});
  nrm["reviewed"] = true;
  nrm["reviewed_by"] = "sam";
  f.save("template:rights.uk.protection", nrm, sam);
  auto ok = f.library->publish(sam, "");
  REQUIRE_FALSE(ok->refused.has_value());
  CHECK(f.live_text("rights.uk.protection", "en").find("Ask us how.") != std::string::npos);
}

TEST_CASE("two editors saving one entry: the second is told, nothing is overwritten", "[studio]") {
  StudioFixture f;
  const auto olga = StudioFixture::person("olga", "editor");
  const auto amina = StudioFixture::person("amina", "editor");
  auto d = f.library->draft();
  const int64_t seen = (*d)->revision_of(kPrompt);  // both opened the same text
  REQUIRE(f.library->save(kPrompt, ojson{{"msgstr", "A"}, {"fuzzy", false}}, seen, olga).ok());
  auto second = f.library->save(kPrompt, ojson{{"msgstr", "B"}, {"fuzzy", false}}, seen, amina);
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == gw::ErrorCode::kAlreadyExists);
  auto now = f.library->draft();
  CHECK((*now)->entries.at(kPrompt)["msgstr"] == "A");
  CHECK((*now)->revisions.at(kPrompt).author == "olga");
}

TEST_CASE("a rollback publishes the earlier content as a new version and keeps the draft's edits",
          "[studio]") {
  StudioFixture f;
  const auto sam = StudioFixture::person("sam", "supervisor");
  const int64_t v1 = f.library->published_version();
  f.save(kPrompt, ojson{{"msgstr", kNewPrompt}, {"fuzzy", false}}, sam);
  const int64_t v2 = f.library->publish(sam, "")->version;
  f.save("translation:uk:menu.bye", ojson{{"msgstr", "Напишіть MENU будь-коли."}, {"fuzzy", false}}, sam);

  auto back = f.library->rollback(v1, sam, "");
  REQUIRE(back.ok());
  REQUIRE_FALSE(back->refused.has_value());
  CHECK(back->version > v2);
  CHECK(f.live_text("menu.prompt", "uk") == kOldPrompt);
  CHECK(*f.library->published_files() == gw::testing::shipped_content());
  auto v = f.library->version(back->version);
  CHECK((*v)->origin == "rollback");
  CHECK((*v)->rollback_of == v1);
  CHECK((*v)->changes == 1);
  // The edit made after v2 is still in the draft, on top of the rolled-back content.
  auto changes = f.library->draft_changes();
  REQUIRE(changes->size() == 1);
  CHECK((*changes)[0].entry == "translation:uk:menu.bye");
  // An editor still holding v2's view of menu.prompt is told it changed.
  auto d = f.library->draft();
  CHECK((*d)->revisions.at(kPrompt).author == "sam");
  CHECK(f.library->save(kPrompt, ojson{{"msgstr", "x"}, {"fuzzy", false}}, 0, sam).error().code ==
        gw::ErrorCode::kAlreadyExists);
}

TEST_CASE("new shipped files become a version unless the studio published since", "[studio]") {
  StudioFixture f(false, true);
  const auto sam = StudioFixture::person("sam", "supervisor");
  auto path = f.content_dir.path() / "templates" / "menu.json";
  auto files = gw::testing::shipped_content();
  std::string menu = files["templates/menu.json"];
  const std::string from = "What would you like? Reply with a number.";
  menu.replace(menu.find(from), from.size(), "What do you need? Reply with a number.");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << menu;
  f.open_library();
  auto versions = f.library->versions(10);
  REQUIRE(versions->size() == 2);
  CHECK((*versions)[0].origin == "files");
  CHECK(f.live_text("menu.prompt", "en") == "What do you need? Reply with a number.");

  // Opening again with the same files adds nothing.
  f.open_library();
  CHECK(f.library->versions(10)->size() == 2);

  // After a publish in the studio, changed files do not replace it.
  f.save(kPrompt, ojson{{"msgstr", kNewPrompt}, {"fuzzy", false}}, sam);
  REQUIRE_FALSE(f.library->publish(sam, "")->refused.has_value());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << files["templates/menu.json"];
  f.open_library();
  CHECK(f.library->versions(10)->size() == 3);
  CHECK(f.live_text("menu.prompt", "uk") == kNewPrompt);
}

TEST_CASE("files imported from an export of the published version change nothing", "[studio]") {
  StudioFixture f;
  const auto cli = StudioFixture::person("cli", "");
  auto same = f.library->import_files(*f.library->published_files(), cli);
  REQUIRE(same.ok());
  CHECK(*same == 0);
  CHECK((*f.library->draft())->edits.empty());
  // One changed message in a PO file is one draft entry.
  auto files = *f.library->published_files();
  std::string& po = files["translations/uk.po"];
  po.replace(po.find(kOldPrompt), kOldPrompt.size(), kNewPrompt);
  auto one = f.library->import_files(files, cli);
  REQUIRE(one.ok());
  CHECK(*one == 1);
  auto changes = f.library->draft_changes();
  REQUIRE(changes->size() == 1);
  CHECK((*changes)[0].entry == kPrompt);
}

TEST_CASE("every studio change is in the audit log with who and what", "[studio]") {
  StudioFixture f;
  const auto sam = StudioFixture::person("sam", "supervisor", false, 7);
  f.save(kPrompt, ojson{{"msgstr", kNewPrompt}, {"fuzzy", false}}, sam);
  const int64_t v1 = f.library->versions(10)->back().id;
  REQUIRE_FALSE(f.library->publish(sam, "m")->refused.has_value());
  REQUIRE_FALSE(f.library->rollback(v1, sam, "")->refused.has_value());
  auto log = f.store->list_audit(20);
  REQUIRE(log.ok());
  std::vector<std::string> actions;
  for (const auto& e : *log) {
    if (e.action.rfind("content.", 0) != 0) continue;
    actions.push_back(e.action);
    CHECK(e.actor == "account:7");
    CHECK(nlohmann::json::parse(e.detail_json)["by"] == "sam");
  }
  std::sort(actions.begin(), actions.end());
  CHECK(actions == std::vector<std::string>{"content.edit", "content.publish", "content.rollback"});
}

namespace {

// The content of a store as another instance sharing it sees it: the first
// time this one adds a version, the other adds the same one just before.
class RacedContentStore final : public gw::ContentStore {
 public:
  explicit RacedContentStore(gw::ContentStore& inner) : inner_(inner) {}
  int raced = 0;

  gw::Result<std::optional<gw::ContentVersion>> latest_content_version() override {
    return inner_.latest_content_version();
  }
  gw::Result<std::vector<gw::ContentVersion>> list_content_versions(int limit) override {
    return inner_.list_content_versions(limit);
  }
  gw::Result<std::optional<gw::ContentVersion>> get_content_version(int64_t id) override {
    return inner_.get_content_version(id);
  }
  gw::Result<std::map<std::string, std::string>> content_version_files(int64_t id) override {
    return inner_.content_version_files(id);
  }
  gw::Result<int64_t> add_content_version(const gw::ContentVersion& v,
                                          const std::map<std::string, std::string>& files,
                                          int64_t expected_latest) override {
    if (raced++ == 0) REQUIRE(inner_.add_content_version(v, files, expected_latest).ok());
    return inner_.add_content_version(v, files, expected_latest);
  }
  gw::Result<std::vector<gw::DraftEntry>> list_draft_entries() override {
    return inner_.list_draft_entries();
  }
  gw::Result<int64_t> put_draft_entry(const std::string& entry, const std::optional<std::string>& value_json,
                                      int64_t base_revision, std::optional<int64_t> account_id,
                                      const std::string& author, gw::TimePoint now) override {
    return inner_.put_draft_entry(entry, value_json, base_revision, account_id, author, now);
  }
  gw::Status clear_draft_entries(const std::vector<std::string>& entries) override {
    return inner_.clear_draft_entries(entries);
  }
  gw::Status touch_entries(const std::vector<std::string>& entries, std::optional<int64_t> account_id,
                           const std::string& author, gw::TimePoint now) override {
    return inner_.touch_entries(entries, account_id, author, now);
  }

 private:
  gw::ContentStore& inner_;
};

}  // namespace

TEST_CASE("two instances opening at once on new files: one adds them, the other takes that version",
          "[studio]") {
  gw::testing::StoreFixture store;
  gw::testing::TempDir dir{"gw-content"};
  REQUIRE(gw::write_content_files(gw::testing::shipped_content(), dir.path().string()).ok());
  gw::ContentLibraryOptions options;
  options.files_dir = dir.path().string();
  RacedContentStore raced(*store.store->content_store());
  auto lib = gw::ContentLibrary::open(*store.store, raced, store.clock, options);
  INFO((lib.ok() ? std::string() : lib.error().to_string()));
  REQUIRE(lib.ok());
  CHECK(raced.raced == 1);  // its own addition was refused, and not tried again: the files are in
  auto versions = (*lib)->versions(10);
  REQUIRE(versions->size() == 1);
  CHECK((*lib)->published_version() == (*versions)[0].id);
  CHECK(*(*lib)->published_files() == gw::testing::shipped_content());
}
