// read_po_upload: a PO file uploaded to the studio is read and graded as
// `gateway check` grades translations/<lang>.po.
#include "gateway/content/po_upload.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "gateway/content/content_check.h"
#include "tests/content/content_fixture.h"

using gw::testing::po_entry;
using gw::testing::po_header;

namespace {

const std::string kRoot = GATEWAY_SOURCE_DIR;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const gw::TemplateCatalog& shipped() {
  static const gw::TemplateCatalog catalog = [] {
    auto c = gw::TemplateCatalog::load(kRoot + "/templates");
    REQUIRE(c);
    return std::move(*c);
  }();
  return catalog;
}

const char* kTemplates = R"({
  "greet": {"text": "Hello {name}.", "comment": "c", "variants": {"sms": "Hi {name}."}},
  "short": {"text": "Reply STOP to stop.", "comment": "c", "sms_segments": 1},
  "check.sensitive": {"text": "police, escape", "comment": "c", "keywords": true}
})";

gw::TemplateCatalog fixture_catalog(const gw::testing::ContentFixture& f) {
  f.write("templates/t.json", kTemplates);
  auto c = gw::TemplateCatalog::load(f.path("templates"));
  REQUIRE(c);
  return std::move(*c);
}

std::string dump(const gw::PoUpload& u) {
  return u.to_json()["problems"].dump(2);
}

const gw::PoUploadProblem* find(const gw::PoUpload& u, const std::string& code) {
  for (const auto& p : u.problems) {
    if (p.code == code) return &p;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("the shipped Ukrainian translations upload with no errors and every message",
          "[content][po_upload]") {
  const std::string bytes = read_file(kRoot + "/translations/uk.po");
  REQUIRE(!bytes.empty());
  size_t messages = 0;  // msgctxt lines outside obsolete (#~) entries
  std::istringstream lines(bytes);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("msgctxt ", 0) == 0) ++messages;
  }
  const gw::PoUpload u = gw::read_po_upload(bytes, "uk", shipped());
  INFO(dump(u));
  CHECK_FALSE(u.has_errors());
  CHECK(u.entries.size() == messages);
  CHECK(messages > 100);
  const auto queued = std::find_if(u.entries.begin(), u.entries.end(),
                                   [](const gw::PoUploadEntry& e) { return e.msgctxt == "helpdesk.queued"; });
  REQUIRE(queued != u.entries.end());
  CHECK(queued->msgstr.find("{position, plural,") != std::string::npos);
  CHECK(std::any_of(u.entries.begin(), u.entries.end(), [](const auto& e) { return e.fuzzy; }));
}

TEST_CASE("a PO syntax error is reported with its line and no entries", "[content][po_upload]") {
  gw::testing::ContentFixture f;
  const auto catalog = fixture_catalog(f);
  // The header takes lines 1-9; the entry starts on line 10, its unterminated msgstr is on line 12,
  // which libgettextpo (as msgfmt) reports at the line where the string's end was due, 13.
  const std::string bytes =
      po_header("fr") + "msgctxt \"greet\"\nmsgid \"Hello {name}.\"\nmsgstr \"Bonjour\n";
  const gw::PoUpload u = gw::read_po_upload(bytes, "fr", catalog);
  INFO(dump(u));
  REQUIRE(u.has_errors());
  const gw::PoUploadProblem* p = find(u, "syntax");
  REQUIRE(p);
  CHECK(p->line == 13);
  CHECK(p->message == "end-of-line within string");
  CHECK(p->severity == gw::Severity::kError);
  CHECK(p->message.find("gw-po-upload") == std::string::npos);
  CHECK(u.entries.empty());
}

TEST_CASE("an unknown msgctxt and a broken placeholder are named with their line", "[content][po_upload]") {
  gw::testing::ContentFixture f;
  const auto catalog = fixture_catalog(f);
  const std::string bytes = po_header("fr") + po_entry("greet", "Hello {name}.", "Bonjour {nom}.") +
                            po_entry("gone.key", "Old", "Vieux") +
                            po_entry("short", "Reply STOP to stop.", "");
  const gw::PoUpload u = gw::read_po_upload(bytes, "fr", catalog);
  INFO(dump(u));
  const gw::PoUploadProblem* unknown = find(u, "unknown_key");
  REQUIRE(unknown);
  CHECK(unknown->msgctxt == "gone.key");
  CHECK(unknown->line == 14);
  CHECK(unknown->message == "msgctxt gone.key has no template");
  const gw::PoUploadProblem* missing = find(u, "placeholder_missing");
  REQUIRE(missing);
  CHECK(missing->msgctxt == "greet");
  CHECK(missing->line == 10);
  CHECK(missing->message == "fr: the translation drops {name}");
  const gw::PoUploadProblem* extra = find(u, "placeholder_extra");
  REQUIRE(extra);
  CHECK(extra->msgctxt == "greet");
  // The untranslated entry is kept and is no problem.
  CHECK(u.entries.size() == 3);
  for (const auto& p : u.problems) CHECK(p.msgctxt != "short");
}

TEST_CASE("a Language header for another language is reported as gateway check grades it",
          "[content][po_upload]") {
  gw::testing::ContentFixture f;
  const auto catalog = fixture_catalog(f);
  const std::string bytes = po_header("uk") + po_entry("greet", "Hello {name}.", "Bonjour {name}.");
  const gw::PoUpload u = gw::read_po_upload(bytes, "fr", catalog);
  INFO(dump(u));
  const gw::PoUploadProblem* p = find(u, "header_language");
  REQUIRE(p);
  CHECK(p->message == "the header says Language uk but the file is for fr");
  CHECK(p->severity == gw::Severity::kWarning);
  CHECK_FALSE(find(gw::read_po_upload(po_header("fr"), "fr", catalog), "header_language"));
}

TEST_CASE("an upload is graded exactly as gateway check grades the same file", "[content][po_upload]") {
  gw::testing::ContentFixture f;
  const auto catalog = fixture_catalog(f);
  const std::string bytes =
      po_header("fr") + po_entry("greet", "Hello {name}.", "Bonjour {name") +
      po_entry("greet#sms", "Hi {name}.", "La police, {name}.") +
      po_entry("short", "Reply STOP",
               "Répondez STOP pour arrêter de recevoir nos messages, à tout moment, gratuitement, et nous "
               "cesserons immédiatement de vous écrire sur ce numéro, sans autre question de notre part.",
               true) +
      "#~ msgctxt \"old\"\n#~ msgid \"Old\"\n#~ msgstr \"Vieux\"\n";
  const gw::PoUpload u = gw::read_po_upload(bytes, "fr", catalog);
  INFO(dump(u));
  CHECK(u.entries.size() == 3);
  CHECK(u.entries[2].fuzzy);
  CHECK(find(u, "icu_syntax"));
  CHECK(find(u, "lock_screen_word"));
  CHECK(find(u, "over_budget"));
  CHECK(find(u, "stale_msgid"));

  f.write("translations/fr.po", bytes);
  std::vector<std::pair<gw::Severity, std::string>> expected, got;
  for (const auto& p : gw::check_content(f.dir())) {
    if (p.file == "translations/fr.po" && p.message.find(" translated, ") == std::string::npos)
      expected.emplace_back(p.severity, std::to_string(p.line) + " " + p.message);
  }
  for (const auto& p : u.problems) got.emplace_back(p.severity, std::to_string(p.line) + " " + p.message);
  std::sort(expected.begin(), expected.end());
  std::sort(got.begin(), got.end());
  CHECK(got == expected);
  CHECK(expected.size() >= 4);
}

TEST_CASE("an oversized upload is refused before it is parsed", "[content][po_upload]") {
  gw::testing::ContentFixture f;
  const auto catalog = fixture_catalog(f);
  // Not PO at all: parsing it would report syntax errors.
  const std::string big(gw::kMaxPoUploadBytes + 1, '{');
  const gw::PoUpload u = gw::read_po_upload(big, "fr", catalog);
  REQUIRE(u.problems.size() == 1);
  CHECK(u.problems[0].code == "too_large");
  CHECK(u.problems[0].severity == gw::Severity::kError);

  std::string many = po_header("fr");
  for (size_t i = 0; i < gw::kMaxPoUploadMessages + 1; ++i) many += "msgid \"\n";
  const gw::PoUpload m = gw::read_po_upload(many, "fr", catalog);
  REQUIRE(m.problems.size() == 1);
  CHECK(m.problems[0].code == "too_many_messages");
  CHECK(m.entries.empty());
}
