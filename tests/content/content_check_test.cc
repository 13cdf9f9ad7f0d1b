#include "gateway/content/content_check.h"

#include <catch2/catch.hpp>

#include "gateway/content/discretion.h"
#include "tests/content/content_fixture.h"

using gw::ContentProblem;
using gw::Severity;
using gw::testing::ContentFixture;
using gw::testing::po_entry;
using gw::testing::po_header;

namespace {

const char* kTemplates = R"({
  "greet": {"text": "Hello {name}.", "comment": "c"},
  "short": {"text": "Reply STOP to stop.", "comment": "c", "sms_segments": 1}
})";

// The problems of `severity` whose printed form contains `needle`.
std::vector<ContentProblem> find(const std::vector<ContentProblem>& all, Severity severity,
                                 const std::string& needle) {
  std::vector<ContentProblem> out;
  for (const auto& p : all) {
    if (p.severity == severity && p.to_string().find(needle) != std::string::npos) out.push_back(p);
  }
  return out;
}

std::string dump(const std::vector<ContentProblem>& all) {
  std::string out;
  for (const auto& p : all) out += std::string(gw::severity_name(p.severity)) + " " + p.to_string() + "\n";
  return out;
}

}  // namespace

TEST_CASE("clean content has no errors and one count line per language", "[content][check]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  f.write("translations/fr.po", po_header("fr", "nplurals=2; plural=(n==0 || n==1) ? 0 : 1;") +
                                    po_entry("greet", "Hello {name}.", "Bonjour {name}.") +
                                    po_entry("short", "Reply STOP to stop.", "Répondez STOP pour arrêter."));
  const auto problems = gw::check_content(f.dir());
  INFO(dump(problems));
  CHECK_FALSE(gw::has_errors(problems));
  CHECK(find(problems, Severity::kInfo, "translations/fr.po: fr: 2 translated, 0 fuzzy, 0 untranslated")
            .size() == 1);
}

TEST_CASE("an ICU syntax error in a template is reported with file and key", "[content][check]") {
  ContentFixture f;
  f.write("templates/t.json", R"({"bad": {"text": "Hello {name", "comment": "c"},
                                  "badvariant": {"text": "Hi", "variants": {"sms": "{n, plural, one {x}}"}}})");
  const auto problems = gw::check_content(f.dir());
  INFO(dump(problems));
  CHECK(find(problems, Severity::kError, "templates/t.json:bad: ICU syntax error at offset").size() == 1);
  CHECK(find(problems, Severity::kError, "templates/t.json:badvariant#sms: ICU syntax error").size() == 1);
}

TEST_CASE("an ICU syntax error in a translation is reported with file and line", "[content][check]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  f.write("translations/ar.po", po_header("ar") + po_entry("greet", "Hello {name}.", "مرحبا {name"));
  const auto problems = gw::check_content(f.dir());
  INFO(dump(problems));
  CHECK(find(problems, Severity::kError, "translations/ar.po:10: ar: ICU syntax error").size() == 1);
}

TEST_CASE("a translation that drops a placeholder is an error", "[content][check]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  f.write("translations/fr.po", po_header("fr") + po_entry("greet", "Hello {name}.", "Bonjour."));
  const auto problems = gw::check_content(f.dir());
  INFO(dump(problems));
  CHECK(find(problems, Severity::kError, "translations/fr.po:10: fr: the translation drops {name}").size() ==
        1);
}

TEST_CASE("a translation that invents a placeholder is an error", "[content][check]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  f.write("translations/uk.po", po_header("uk") + po_entry("greet", "Hello {name}.", "Привіт {name} {nom}."));
  const auto problems = gw::check_content(f.dir());
  INFO(dump(problems));
  CHECK(find(problems, Severity::kError, "uk: the translation invents {nom}").size() == 1);
  CHECK(find(problems, Severity::kError, "drops").empty());
}

TEST_CASE("a msgctxt without a template is an error", "[content][check]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  f.write("translations/fr.po", po_header("fr") + po_entry("greet#sms", "Hello {name}.", "Salut {name}") +
                                    po_entry("gone.key", "Old", "Vieux"));
  const auto problems = gw::check_content(f.dir());
  INFO(dump(problems));
  CHECK(find(problems, Severity::kError, "translations/fr.po:10: msgctxt greet#sms has no template").size() ==
        1);
  CHECK(find(problems, Severity::kError, "msgctxt gone.key has no template").size() == 1);
}

TEST_CASE("a UCS-2 translation may take one SMS segment more than the budget", "[content][check]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  // In Ukrainian (UCS-2, 70 units in one segment, 67 a segment after that) this is two segments:
  // budget 1 + 1 for UCS-2.
  f.write(
      "translations/uk.po",
      po_header("uk") +
          po_entry("short", "Reply STOP to stop.",
                   "Надішліть STOP, щоб більше не отримувати повідомлень від нас і від наших партнерів."));
  const auto problems = gw::check_content(f.dir());
  INFO(dump(problems));
  CHECK(find(problems, Severity::kError, "SMS segments").empty());
  CHECK_FALSE(gw::has_errors(problems));
}

TEST_CASE("a UCS-2 translation two segments over the budget is an error naming language and budget",
          "[content][check]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  // 3 x 50 Cyrillic letters: more than 134 UCS-2 units, so three segments; the budget is 1 + 1.
  std::string long_uk;
  for (int i = 0; i < 150; ++i) long_uk += "ж";
  f.write("translations/uk.po", po_header("uk") + po_entry("short", "Reply STOP to stop.", long_uk));
  const auto problems = gw::check_content(f.dir());
  INFO(dump(problems));
  CHECK(find(problems, Severity::kError,
             "translations/uk.po:10: uk: 3 SMS segments (UCS-2), budget 2 (1 + 1 for UCS-2)")
            .size() == 1);
}

TEST_CASE("a GSM-7 translation over the budget gets no extra segment", "[content][check]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  // 170 GSM-7 characters: two segments, budget 1.
  f.write("translations/nl.po",
          po_header("nl") +
              po_entry("short", "Reply STOP to stop.", "Stuur STOP om te stoppen. " + std::string(144, 'x')));
  const auto problems = gw::check_content(f.dir());
  INFO(dump(problems));
  CHECK(find(problems, Severity::kError, "translations/nl.po:10: nl: 2 SMS segments (GSM-7), budget 1")
            .size() == 1);
}

TEST_CASE("an SMS budget exceeded by the source text is an error too", "[content][check]") {
  ContentFixture f;
  f.write("templates/t.json",
          R"({"long": {"text": "Dear {name}, )" + std::string(150, 'x') + R"(", "sms_segments": 1}})");
  const auto problems = gw::check_content(f.dir());
  INFO(dump(problems));
  CHECK(find(problems, Severity::kError, "templates/t.json:long: en: 2 SMS segments (GSM-7), budget 1")
            .size() == 1);
}

TEST_CASE("a PO read error is reported with file and line", "[content][check]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  f.write("translations/fr.po",
          po_header("fr") + "msgctxt \"greet\"\nmsgid \"Hello {name}.\"\nmsgstr \"Bonjour\n");
  const auto problems = gw::check_content(f.dir());
  INFO(dump(problems));
  CHECK(find(problems, Severity::kError, "translations/fr.po:13: ").size() >= 1);
}

TEST_CASE("an unknown template field is reported with file and key", "[content][check]") {
  ContentFixture f;
  f.write("templates/t.json", R"({"greet": {"text": "Hi", "sms_segmnets": 1}})");
  const auto problems = gw::check_content(f.dir());
  INFO(dump(problems));
  CHECK(find(problems, Severity::kError, "templates/t.json:greet: unknown field \"sms_segmnets\"").size() ==
        1);
}

TEST_CASE("untranslated and fuzzy strings are counted per language as a warning", "[content][check]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  f.write("translations/ar.po", po_header("ar") + po_entry("greet", "Hello {name}.", "مرحبا {name}.", true));
  const auto problems = gw::check_content(f.dir());
  INFO(dump(problems));
  CHECK(find(problems, Severity::kWarning, "ar: 0 translated, 1 fuzzy, 1 untranslated").size() == 1);
  CHECK_FALSE(gw::has_errors(problems));
}

TEST_CASE("facts with a source not yet reviewed are a warning", "[content][check]") {
  ContentFixture f;
  f.write("templates/t.json",
          R"({"fact": {"text": "You have 45 days.", "source": "the law", "reviewed": false},
                                  "checked": {"text": "You have 30 days.", "source": "the law", "reviewed": true}})");
  const auto problems = gw::check_content(f.dir());
  INFO(dump(problems));
  CHECK(find(problems, Severity::kWarning, "templates/t.json:fact: facts not yet reviewed (source: the law)")
            .size() == 1);
  CHECK(find(problems, Severity::kWarning, ":checked:").empty());
}

TEST_CASE("a wrong Plural-Forms line for a shipped language is a warning", "[content][check]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  f.write("translations/ar.po", po_header("ar", "nplurals=2; plural=(n != 1);"));
  const auto problems = gw::check_content(f.dir());
  INFO(dump(problems));
  CHECK(find(problems, Severity::kWarning, "Plural-Forms should be: nplurals=6;").size() == 1);
}

TEST_CASE("content stats give counts and the longest SMS per language", "[content][check]") {
  ContentFixture f;
  f.write("templates/t.json", kTemplates);
  f.write(
      "translations/uk.po",
      po_header("uk") + po_entry("greet", "Hello {name}.", "Привіт, {name}.", true) +
          po_entry("short", "Reply STOP to stop.",
                   "Надішліть STOP, щоб більше не отримувати повідомлень від нас і від наших партнерів."));
  const auto stats = gw::content_stats(f.dir());
  REQUIRE(stats.size() == 2);
  CHECK(stats[0].language == "en");
  CHECK(stats[0].total == 2);
  CHECK(stats[0].translated == 2);
  CHECK(stats[0].max_sms_segments == 1);
  CHECK(stats[1].language == "uk");
  CHECK(stats[1].translated == 1);
  CHECK(stats[1].fuzzy == 1);
  CHECK(stats[1].untranslated == 0);
  CHECK(stats[1].max_sms_segments == 2);
}

TEST_CASE("discretion: a sensitive word in the first 90 characters of a message is an error, in any language",
          "[content][check][discretion]") {
  ContentFixture f;
  // Given the English list and a French one that adds its own word.
  f.write("templates/t.json", R"({
    "check.sensitive": {"text": "police, trafficking", "comment": "c", "keywords": true},
    "early": {"text": "Call the POLICE now.", "comment": "c"},
    "late": {"text": "Hello. This line is free and confidential, and you can write to us at any time of day. The police are not told.", "comment": "c"},
    "calm": {"text": "Hello.", "comment": "c", "variants": {"whatsapp": "Hello, trafficking info."}},
    "keyword.stop": {"text": "STOP, POLICE", "comment": "c", "keywords": true},
    "note.x": {"text": "Police involved.", "comment": "c"}
  })");
  f.write("translations/fr.po",
          po_header("fr", "nplurals=3; plural=(n==0 || n==1 ? 0 : n!=0 && n%1000000==0 ? 1 : 2);") +
              po_entry("check.sensitive", "police, trafficking", "police, traite des, esclav") +
              po_entry("calm", "Hello.", "Bonjour. Esclavage moderne.") +
              po_entry("late",
                       "Hello. This line is free and confidential, and you can write to us at any time of "
                       "day. The police are not told.",
                       "Bonjour."));
  const auto problems = gw::check_content(f.dir());
  INFO(dump(problems));
  CHECK(find(problems, Severity::kError, "early: en: \"police\" in the first 90 characters").size() == 1);
  CHECK(find(problems, Severity::kError, "calm#whatsapp: en: \"trafficking\"").size() == 1);
  // The French list counts for French: "Esclavage" matches the stem "esclav", case folded.
  CHECK(find(problems, Severity::kError, "fr: \"esclav\" in the first 90").size() == 1);
  // After the first 90 characters, in keyword lists and in operators' notes: allowed.
  CHECK(find(problems, Severity::kError, "late:").empty());
  CHECK(find(problems, Severity::kError, "keyword.stop").empty());
  CHECK(find(problems, Severity::kError, "note.x").empty());
}

TEST_CASE("the lock-screen part of a text is its first 90 code points, folded", "[content][discretion]") {
  std::string text;
  for (int i = 0; i < 89; ++i) text += "\u0628";  // ب, two bytes each
  CHECK(gw::sensitive_word_in(text + "\u0628", {"\u0628\u0628"}).has_value());
  CHECK_FALSE(gw::sensitive_word_in(text + "X police", {"police"}).has_value());
  CHECK(gw::sensitive_word_in(text.substr(0, 2 * 80) + " POLICE", {"police"}) == std::string("police"));
  // A stem matches at the start of a word only: "polic" in "policija", but not
  // "جنسی" (sexual) inside "ایمرجنسی" (emergency).
  CHECK(gw::sensitive_word_in("Nazovite policiju.", {"polic"}).has_value());
  CHECK_FALSE(gw::sensitive_word_in("ایمرجنسی: 112", {"جنسی"}).has_value());
  CHECK_FALSE(gw::sensitive_word_in("Hello", {""}).has_value());
}
