#include "gateway/content/content_extract.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "gateway/content/po_catalog.h"
#include "tests/content/content_fixture.h"
#include "tests/support/subprocess.h"

using gw::testing::ContentFixture;
using gw::testing::po_entry;
using gw::testing::po_header;

namespace {

// msgfmt --check on `path`; a missing msgfmt fails the test rather than skipping it.
void require_msgfmt_check(const std::string& path) {
  REQUIRE(std::filesystem::exists("/usr/bin/msgfmt"));
  auto r = gw::testing::run_process({"/usr/bin/msgfmt", "--check", "-o", "/dev/null", path});
  INFO(path << "\n" << r.err);
  CHECK(r.exit_code == 0);
}

const char* kTemplates = R"({
  "kept": {"text": "Hello {name}.", "comment": "A greeting.\nSecond line for translators."},
  "changed": {"text": "We answer within 2 days.", "comment": "c", "sms_segments": 1},
  "added": {"text": "New \"quoted\" text\\with a backslash.", "comment": "c",
            "variants": {"sms": "Short {n, plural, one {# day} other {# days}}"}}
})";

}  // namespace

TEST_CASE("extract writes a POT with msgctxt, comments and references that msgfmt accepts",
          "[content][extract]") {
  ContentFixture f;
  f.write("templates/sys.json", kTemplates);
  REQUIRE(gw::extract_content(f.dir()).ok());
  const std::string pot = f.read("translations/messages.pot");
  CHECK(pot.find("msgctxt \"added#sms\"") != std::string::npos);
  CHECK(pot.find("#. A greeting.\n#. Second line for translators.\n") != std::string::npos);
  CHECK(pot.find("#: templates/sys.json\n") != std::string::npos);
  CHECK(pot.find("msgid \"New \\\"quoted\\\" text\\\\with a backslash.\"") != std::string::npos);
  CHECK(pot.find("#. SMS budget: 1 segment(s).") != std::string::npos);
  require_msgfmt_check(f.path("translations/messages.pot"));
  auto read_back = gw::PoCatalog::read(f.path("translations/messages.pot"));
  REQUIRE(read_back.ok());
  CHECK(read_back->entries().size() == 4);
  CHECK(read_back->find("added")->msgid == "New \"quoted\" text\\with a backslash.");
}

TEST_CASE("extract merges like msgmerge: keeps, adds, marks changed fuzzy and obsoletes gone keys",
          "[content][extract]") {
  ContentFixture f;
  f.write("templates/sys.json", kTemplates);
  f.write("translations/fr.po",
          po_header("fr", "nplurals=2; plural=(n==0 || n==1) ? 0 : 1;") + "# Translator note kept.\n" +
              po_entry("kept", "Hello {name}.", "Bonjour {name}.") +
              po_entry("changed", "We answer within 3 days.", "Nous répondons sous 3 jours.") +
              po_entry("gone", "Old text.", "Vieux texte.") + po_entry("gone.empty", "Nothing.", ""));
  REQUIRE(gw::extract_content(f.dir()).ok());
  const std::string po = f.read("translations/fr.po");
  INFO(po);
  require_msgfmt_check(f.path("translations/fr.po"));
  CHECK(po.find("# Translator note kept.\n") != std::string::npos);
  CHECK(po.find("#| msgid \"We answer within 3 days.\"") != std::string::npos);
  CHECK(po.find("#~ msgctxt \"gone\"") != std::string::npos);
  CHECK(po.find("gone.empty") == std::string::npos);
  CHECK(po.find("Plural-Forms: nplurals=2; plural=(n==0 || n==1) ? 0 : 1;") != std::string::npos);

  auto fr = gw::PoCatalog::read(f.path("translations/fr.po"));
  REQUIRE(fr.ok());
  CHECK(fr->find("kept")->msgstr == "Bonjour {name}.");
  CHECK_FALSE(fr->find("kept")->fuzzy);
  CHECK(fr->find("changed")->fuzzy);
  CHECK(fr->find("changed")->msgid == "We answer within 2 days.");
  CHECK(fr->find("changed")->msgstr == "Nous répondons sous 3 jours.");
  CHECK(fr->find("added#sms") != nullptr);
  CHECK(fr->find("added#sms")->msgstr.empty());
  CHECK(fr->find("gone") == nullptr);  // obsolete now

  // A second run changes nothing.
  REQUIRE(gw::extract_content(f.dir()).ok());
  CHECK(f.read("translations/fr.po") == po);
}

TEST_CASE("a key that comes back revives its obsolete translation", "[content][extract]") {
  ContentFixture f;
  f.write("templates/sys.json", R"({"kept": {"text": "Hello {name}."}})");
  f.write(
      "translations/uk.po",
      po_header("uk") + "#~ msgctxt \"kept\"\n#~ msgid \"Hello {name}.\"\n#~ msgstr \"Привіт {name}.\"\n");
  REQUIRE(gw::extract_content(f.dir()).ok());
  auto uk = gw::PoCatalog::read(f.path("translations/uk.po"));
  REQUIRE(uk.ok());
  REQUIRE(uk->find("kept") != nullptr);
  CHECK(uk->find("kept")->msgstr == "Привіт {name}.");
  require_msgfmt_check(f.path("translations/uk.po"));
}

TEST_CASE("extract writes nothing when a PO cannot be read", "[content][extract]") {
  ContentFixture f;
  f.write("templates/sys.json", kTemplates);
  const std::string broken = po_header("fr") + "msgctxt \"kept\"\nmsgid \"x\"\nmsgstr \"unterminated\n";
  f.write("translations/fr.po", broken);
  auto s = gw::extract_content(f.dir());
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("fr.po:13:") != std::string::npos);
  CHECK(f.read("translations/fr.po") == broken);
  CHECK_FALSE(std::filesystem::exists(f.path("translations/messages.pot")));
}

TEST_CASE("extract fails on invalid templates", "[content][extract]") {
  ContentFixture f;
  f.write("templates/sys.json", R"({"a": {"text": "Hi", "oops": 1}})");
  CHECK_FALSE(gw::extract_content(f.dir()).ok());
}
