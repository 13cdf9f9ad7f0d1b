#include "gateway/engine/input_match.h"

#include <catch2/catch.hpp>

#include "tests/engine/fake_lexicon.h"

using gw::normalize_input;
using gw::parse_number;

TEST_CASE("digits of every script read as ASCII digits", "[engine][input_match]") {
  // Arabic-Indic, Persian, fullwidth, Devanagari, Bengali, Myanmar, ASCII.
  for (const char* two : {"٢", "۲", "２", "२", "২", "၂", "2"}) {
    INFO(two);
    CHECK(parse_number(two) == 2);
  }
  CHECK(parse_number("١٢") == 12);
  CHECK(parse_number("۱۰") == 10);
  CHECK(parse_number("１０") == 10);
  CHECK(normalize_input("٠١٢٣٤٥٦٧٨٩") == "0123456789");
  CHECK(normalize_input("۰۱۲۳۴۵۶۷۸۹") == "0123456789");
}

TEST_CASE("punctuation and spacing around a number are noise", "[engine][input_match]") {
  for (const char* s : {"  2. ", "(2)", "2!!", "2)", "#2", " ٢ ", "«۲»", "2\n", "\t２。"}) {
    INFO(s);
    CHECK(parse_number(s) == 2);
  }
  CHECK_FALSE(parse_number("2 3").has_value());
  CHECK_FALSE(parse_number("two").has_value());
  CHECK_FALSE(parse_number("").has_value());
  CHECK_FALSE(parse_number("...").has_value());
  CHECK_FALSE(parse_number("12345").has_value());
}

TEST_CASE("case and diacritics fold, letters of every script stay", "[engine][input_match]") {
  CHECK(normalize_input("  Éducation! ") == "education");
  CHECK(normalize_input("OUI") == "oui");
  CHECK(normalize_input("ＭＥＮＵ") == "menu");
  CHECK(normalize_input("Talk   to a PERSON!!") == "talk to a person");
  CHECK(normalize_input("Straße") == "strasse");
  // Arabic: harakat and tatweel go, the letters stay.
  CHECK(normalize_input("نَعَم") == "نعم");
  CHECK(normalize_input("نعـــم") == "نعم");
  CHECK(normalize_input("مرحبا بكم") == "مرحبا بكم");
  CHECK(normalize_input("؟لا!") == "لا");
  // Persian: the zero-width non-joiner inside a word disappears.
  CHECK(normalize_input("می\u200cخواهم") == "میخواهم");
  // Ukrainian and Tigrinya letters survive case folding.
  CHECK(normalize_input("ТАК") == "так");
  CHECK(normalize_input("እወ") == "እወ");
}

TEST_CASE("edit distance counts code points, not bytes", "[engine][input_match]") {
  CHECK(gw::edit_distance("مساعدة", "مساعده") == 1);  // two-byte letters, one substitution
  CHECK(gw::edit_distance("helpp", "help") == 1);
  CHECK(gw::edit_distance("hepl", "help") == 1);  // a swap of neighbours is one edit
  CHECK(gw::edit_distance("abc", "abc") == 0);
  CHECK(gw::edit_distance("", "ሰላም") == 3);
}

TEST_CASE("keywords of five letters or more tolerate one typo, shorter ones none", "[engine][input_match]") {
  CHECK(gw::keyword_matches("Rihgts", "rights"));
  CHECK(gw::keyword_matches("languag", "language"));
  CHECK(gw::keyword_matches("مساعده", "مساعدة"));
  CHECK(gw::keyword_matches("Éducation", "education"));
  CHECK_FALSE(gw::keyword_matches("rigths now", "rights"));
  CHECK_FALSE(gw::keyword_matches("rgts", "rights"));  // two edits
  CHECK_FALSE(gw::keyword_matches("mneu", "menu"));    // four letters: exact only
  CHECK_FALSE(gw::keyword_matches("ye", "yes"));
  CHECK(gw::keyword_matches(" YES! ", "yes"));
  CHECK_FALSE(gw::keyword_matches("", "yes"));
  CHECK_FALSE(gw::keyword_matches("yes", ""));
}

TEST_CASE("an exact keyword wins and an ambiguous typo matches nothing", "[engine][input_match]") {
  std::vector<gw::KeywordCandidate> c = {{{"house"}, 1}, {{"horse"}, 2}, {{"mouse"}, 3}};
  CHECK(gw::best_keyword_match("horse", c) == 2);
  CHECK_FALSE(gw::best_keyword_match("hoyse", c).has_value());  // one edit from house and horse
  CHECK(gw::best_keyword_match("mousse", c) == 3);
  CHECK_FALSE(gw::best_keyword_match("", c).has_value());
}

TEST_CASE("number words from the translations select numbers", "[engine][input_match]") {
  gw::testing::FakeLexicon lex;
  CHECK(gw::match_number("واحد", lex, "ar", 3) == 1);
  CHECK(gw::match_number("اثنين", lex, "ar", 3) == 2);
  CHECK(gw::match_number("سه", lex, "fa", 3) == 3);
  CHECK(gw::match_number("Один", lex, "uk", 3) == 1);
  CHECK(gw::match_number("deux", lex, "fr", 3) == 2);
  CHECK(gw::match_number("ሰለስተ", lex, "ti", 3) == 3);
  CHECK(gw::match_number("two", lex, "ti", 3) == 2);  // English is always in the chain
  CHECK(gw::match_number("۳", lex, "fa", 3) == 3);
  CHECK_FALSE(gw::match_number("٤", lex, "ar", 3).has_value());      // no fourth choice
  CHECK_FALSE(gw::match_number("three", lex, "en", 2).has_value());  // beyond the choices
  CHECK_FALSE(gw::match_number("0", lex, "en", 3).has_value());
}
