// Content entries of the shipped repository, edits applied through an overlay
// byte-stably, and the difference between two sets of entries.
#include "gateway/content/content_entries.h"

#include <catch2/catch.hpp>

namespace {

using gw::ContentFiles;
using gw::Overlay;
using Json = nlohmann::ordered_json;

const ContentFiles& shipped() {
  static const ContentFiles files = [] {
    auto f = gw::read_content_files(GATEWAY_SOURCE_DIR);
    REQUIRE(f.ok());
    return *f;
  }();
  return files;
}

const gw::ContentEntries& shipped_entries() {
  static const gw::ContentEntries entries = [] {
    auto e = gw::content_entries(shipped());
    INFO((e.ok() ? "" : e.error().message));
    REQUIRE(e.ok());
    return *e;
  }();
  return entries;
}

// The paths whose bytes differ between `a` and `b` (or that only one has).
std::vector<std::string> changed_paths(const ContentFiles& a, const ContentFiles& b) {
  std::vector<std::string> out;
  for (const auto& [path, bytes] : a) {
    auto it = b.find(path);
    if (it == b.end() || it->second != bytes) out.push_back(path);
  }
  for (const auto& [path, bytes] : b) {
    if (!a.count(path)) out.push_back(path);
  }
  return out;
}

ContentFiles applied(const Overlay& overlay) {
  auto r = gw::apply_overlay(shipped(), overlay);
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  return *r;
}

gw::ContentEntries entries_of(const ContentFiles& files) {
  auto e = gw::content_entries(files);
  INFO((e.ok() ? "" : e.error().message));
  REQUIRE(e.ok());
  return *e;
}

// The node ids of `flow`'s file in `files`, in file order.
std::vector<std::string> node_ids(const ContentFiles& files, const std::string& flow) {
  std::vector<std::string> ids;
  const Json doc = Json::parse(files.at("flows/" + flow + ".json"));
  for (const auto& [id, node] : doc["nodes"].items()) ids.push_back(id);
  return ids;
}

}  // namespace

TEST_CASE("the shipped content has entries of every kind", "[content][entries]") {
  const auto& e = shipped_entries();
  REQUIRE(e.count("template:menu.prompt"));
  CHECK(e.at("template:menu.prompt")["text"] == "What would you like? Reply with a number.");
  CHECK(e.at("template:menu.prompt").begin().key() == "text");  // member order as in the file
  REQUIRE(e.count("translation:uk:menu.prompt"));
  CHECK(e.at("translation:uk:menu.prompt") ==
        Json{{"msgstr", "Що вам потрібно? Надішліть номер."}, {"fuzzy", true}});
  CHECK(e.at("translation:uk:system.help")["fuzzy"] == false);
  REQUIRE(e.count("flow:main"));
  CHECK_FALSE(e.at("flow:main").contains("nodes"));
  CHECK(e.at("flow:main")["start"] == "start");
  REQUIRE(e.count("flow:globals"));
  CHECK(e.at("flow:globals")["entry"] == "main");
  CHECK(e.at("flow:globals")["keywords"].is_array());
  CHECK(e.count("node:main/start") == 1);
  CHECK(e.count("flow:schema") == 0);
  for (const auto& [id, value] : e) CHECK(id.rfind("translation:messages", 0) != 0);
}

TEST_CASE("an empty overlay, and edits that set what is there, leave every file byte-identical",
          "[content][entries]") {
  CHECK(applied({}) == shipped());
  const auto& e = shipped_entries();
  const Overlay same = {{"template:menu.prompt", e.at("template:menu.prompt")},
                        {"translation:uk:answer.no", e.at("translation:uk:answer.no")},
                        {"translation:fr:system.help", e.at("translation:fr:system.help")},
                        {"flow:globals", e.at("flow:globals")},
                        {"flow:menu", e.at("flow:menu")},
                        {"node:main/start", e.at("node:main/start")}};
  CHECK(changed_paths(shipped(), applied(same)).empty());
}

TEST_CASE("content written to a directory and read back equals the original", "[content][entries]") {
  auto dir = gw::MaterializedContent::create(shipped());
  REQUIRE(dir.ok());
  auto back = gw::read_content_files(dir->dir());
  REQUIRE(back.ok());
  CHECK(*back == shipped());
}

TEST_CASE("a translation edit changes only that message of that PO", "[content][entries]") {
  const ContentFiles after =
      applied({{"translation:uk:answer.no", Json{{"msgstr", "Ні, дякую"}, {"fuzzy", false}}}});
  CHECK(changed_paths(shipped(), after) == std::vector<std::string>{"translations/uk.po"});
  std::string expected = shipped().at("translations/uk.po");
  const std::string old_block = "#, fuzzy\nmsgctxt \"answer.no\"\nmsgid \"No\"\nmsgstr \"Ні\"\n";
  const size_t at = expected.find(old_block);
  REQUIRE(at != std::string::npos);
  expected.replace(at, old_block.size(), "msgctxt \"answer.no\"\nmsgid \"No\"\nmsgstr \"Ні, дякую\"\n");
  CHECK(after.at("translations/uk.po") == expected);  // header (and its date) untouched too

  const auto changes = gw::diff_entries(shipped_entries(), entries_of(after));
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].entry == "translation:uk:answer.no");
  CHECK(*changes[0].after == Json{{"msgstr", "Ні, дякую"}, {"fuzzy", false}});
}

TEST_CASE("a changed English text makes its translations fuzzy and updates the POT", "[content][entries]") {
  Json t = shipped_entries().at("template:system.help");
  const std::string old_text = t["text"];
  t["text"] = "This helpline gives free information. Reply STOP to stop.";
  const ContentFiles after = applied({{"template:system.help", t}});
  CHECK(after.at("translations/messages.pot")
            .find("msgid \"This helpline gives free information. Reply STOP to stop.\"") !=
        std::string::npos);
  const auto before_e = shipped_entries();
  const auto after_e = entries_of(after);
  CHECK(after_e.at("template:system.help")["text"] == t["text"]);
  size_t translated = 0;
  for (const auto& [id, value] : before_e) {
    if (id.rfind("translation:", 0) != 0 || id.size() < 12 || id.substr(id.size() - 12) != ":system.help")
      continue;
    INFO(id);
    CHECK(after_e.at(id)["msgstr"] == value["msgstr"]);
    CHECK(after_e.at(id)["fuzzy"] == !value["msgstr"].get<std::string>().empty());
    translated += !value["msgstr"].get<std::string>().empty();
  }
  CHECK(translated >= 2);
  // The fuzzy message keeps the old English text as its previous source.
  CHECK(after.at("translations/uk.po").find("#| msgid \"\"\n#| \"This helpline gives free") !=
        std::string::npos);
  // Only the template's file and the translations change.
  for (const std::string& path : changed_paths(shipped(), after)) {
    INFO(path);
    CHECK((path == "templates/system.json" || path.rfind("translations/", 0) == 0));
  }
  (void)old_text;
}

TEST_CASE("a new template goes to the end of its group's file, and can be translated at once",
          "[content][entries]") {
  const Json t = {{"text", "Something else"}, {"comment", "Main menu option."}, {"sms_segments", 1}};
  const ContentFiles after =
      applied({{"template:menu.extra", t}, {"translation:uk:menu.extra", Json{{"msgstr", "Щось інше"}}}});
  const Json menu = Json::parse(after.at("templates/menu.json"));
  CHECK(std::prev(menu.end()).key() == "menu.extra");
  const auto e = entries_of(after);
  CHECK(e.at("translation:uk:menu.extra") == Json{{"msgstr", "Щось інше"}, {"fuzzy", false}});
  CHECK(e.at("translation:fr:menu.extra") == Json{{"msgstr", ""}, {"fuzzy", false}});
  CHECK(after.at("translations/messages.pot").find("msgctxt \"menu.extra\"") != std::string::npos);
}

TEST_CASE("a removed template's translations become obsolete", "[content][entries]") {
  const ContentFiles after = applied({{"template:menu.family", std::nullopt}});
  const auto e = entries_of(after);
  CHECK(e.count("template:menu.family") == 0);
  CHECK(e.count("translation:uk:menu.family") == 0);
  CHECK(after.at("translations/uk.po").find("#~ msgctxt \"menu.family\"") != std::string::npos);
}

TEST_CASE("a node edit rewrites only its flow file and is one change", "[content][entries]") {
  const std::string first = node_ids(shipped(), "menu").front();
  Json node = shipped_entries().at("node:menu/" + first);
  node["comment"] = "Edited in the studio.";
  const ContentFiles after = applied({{"node:menu/" + first, node}});
  CHECK(changed_paths(shipped(), after) == std::vector<std::string>{"flows/menu.json"});
  CHECK(node_ids(after, "menu") == node_ids(shipped(), "menu"));
  const auto changes = gw::diff_entries(shipped_entries(), entries_of(after));
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].entry == "node:menu/" + first);
  CHECK((*changes[0].after)["comment"] == "Edited in the studio.");
}

TEST_CASE("a new node is appended and a removed node is gone", "[content][entries]") {
  auto ids = node_ids(shipped(), "menu");
  const Json node = {{"type", "end"}};
  const ContentFiles added = applied({{"node:menu/added_node", node}});
  auto after_ids = node_ids(added, "menu");
  REQUIRE(after_ids.size() == ids.size() + 1);
  CHECK(after_ids.back() == "added_node");
  auto changes = gw::diff_entries(shipped_entries(), entries_of(added));
  REQUIRE(changes.size() == 1);
  CHECK_FALSE(changes[0].before.has_value());

  const ContentFiles removed = applied({{"node:menu/" + ids[1], std::nullopt}});
  after_ids = node_ids(removed, "menu");
  ids.erase(ids.begin() + 1);
  CHECK(after_ids == ids);
  changes = gw::diff_entries(shipped_entries(), entries_of(removed));
  REQUIRE(changes.size() == 1);
  CHECK_FALSE(changes[0].after.has_value());
}

TEST_CASE("a flow header edit keeps the nodes where they are", "[content][entries]") {
  Json header = shipped_entries().at("flow:menu");
  header["comment"] = "New comment.";
  const ContentFiles after = applied({{"flow:menu", header}});
  const std::string& before_text = shipped().at("flows/menu.json");
  const std::string& after_text = after.at("flows/menu.json");
  const Json doc = Json::parse(after_text);
  CHECK(doc["comment"] == "New comment.");
  // Only the comment line differs.
  const size_t eol = before_text.find('\n', before_text.find("\"comment\""));
  CHECK(after_text.substr(after_text.find('\n', after_text.find("\"comment\""))) == before_text.substr(eol));
}

TEST_CASE("an overlay naming what does not exist or of the wrong shape is refused", "[content][entries]") {
  auto refused = [](const Overlay& overlay, const std::string& named) {
    auto r = gw::apply_overlay(shipped(), overlay);
    REQUIRE_FALSE(r.ok());
    INFO(r.error().message);
    CHECK(r.error().message.find(named) != std::string::npos);
    return r.error().code;
  };
  CHECK(refused({{"translation:uk:no.such.key", Json{{"msgstr", "x"}}}}, "no.such.key") ==
        gw::ErrorCode::kNotFound);
  CHECK(refused({{"translation:xx:menu.prompt", Json{{"msgstr", "x"}}}}, "xx") == gw::ErrorCode::kNotFound);
  refused({{"translation:uk:menu.prompt", Json{{"msgstr", 3}}}}, "translation:uk:menu.prompt");
  refused({{"flow:nosuch", Json{{"id", "nosuch"}}}}, "nosuch");
  refused({{"flow:menu", Json{{"id", "other"}}}}, "flow:menu");
  refused({{"node:menu/never_there", std::nullopt}}, "never_there");
  refused({{"template:no.such", std::nullopt}}, "no.such");
  refused({{"template:menu.prompt", Json::array()}}, "template:menu.prompt");
  refused({{"other:thing", Json::object()}}, "other:thing");
}

TEST_CASE("diff_entries lists added, removed and changed entries in id order", "[content][entries]") {
  const gw::ContentEntries a = {{"a", 1}, {"b", 2}, {"c", 3}};
  const gw::ContentEntries b = {{"b", 2}, {"c", 4}, {"d", 5}};
  const auto d = gw::diff_entries(a, b);
  REQUIRE(d.size() == 3);
  CHECK((d[0].entry == "a" && d[0].before == Json(1) && !d[0].after));
  CHECK((d[1].entry == "c" && d[1].before == Json(3) && d[1].after == Json(4)));
  CHECK((d[2].entry == "d" && !d[2].before && d[2].after == Json(5)));
}

TEST_CASE("a new template whose group has no file goes to the file of the closest key",
          "[content][entries]") {
  // templates/screen.json does not exist; the screen.* keys live in templates/screening.json.
  REQUIRE(shipped().count("templates/screen.json") == 0);
  const ContentFiles after = applied({{"template:screen.extra", Json{{"text", "One more question"}}}});
  CHECK(std::prev(Json::parse(after.at("templates/screening.json")).end()).key() == "screen.extra");
  CHECK(after.count("templates/screen.json") == 0);
}

TEST_CASE("an overlay over the bound is refused before any work", "[content][entries]") {
  Overlay overlay;
  for (size_t i = 0; i <= gw::kMaxOverlayEntries; ++i) {
    overlay.emplace("node:menu/n" + std::to_string(i), Json{{"type", "end"}});
  }
  auto r = gw::apply_overlay(shipped(), overlay);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == gw::ErrorCode::kInvalidArgument);
}
