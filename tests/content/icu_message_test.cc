#include "gateway/content/icu_message.h"

#include <catch2/catch.hpp>

using gw::format_message;
using nlohmann::json;

TEST_CASE("named arguments are formatted", "[content][icu]") {
  auto r = format_message("Hello {name}, you have {count} messages.", "en", {{"name", "Ana"}, {"count", 3}});
  REQUIRE(r.ok());
  CHECK(*r == "Hello Ana, you have 3 messages.");
}

TEST_CASE("Arabic plural picks the zero one two few many and other branches", "[content][icu]") {
  const std::string pattern =
      "{n, plural, zero {ZERO} one {ONE} two {TWO} few {FEW} many {MANY} other {OTHER}}";
  const std::vector<std::pair<int, std::string>> cases = {{0, "ZERO"}, {1, "ONE"},   {2, "TWO"},
                                                          {3, "FEW"},  {11, "MANY"}, {100, "OTHER"}};
  for (const auto& [n, branch] : cases) {
    auto r = format_message(pattern, "ar", {{"n", n}});
    REQUIRE(r.ok());
    CHECK(*r == branch);
  }
  // English has only one and other: the same 0 goes to other, not zero.
  CHECK(*format_message(pattern, "en", {{"n", 0}}) == "OTHER");
}

TEST_CASE("French treats 0 as singular and Ukrainian has few and many", "[content][icu]") {
  const std::string pattern = "{n, plural, one {ONE} few {FEW} many {MANY} other {OTHER}}";
  CHECK(*format_message(pattern, "fr", {{"n", 0}}) == "ONE");
  CHECK(*format_message(pattern, "uk", {{"n", 3}}) == "FEW");
  CHECK(*format_message(pattern, "uk", {{"n", 5}}) == "MANY");
  CHECK(*format_message(pattern, "uk", {{"n", 21}}) == "ONE");
}

TEST_CASE("select and a number given as a string feed nested branches", "[content][icu]") {
  const std::string pattern =
      "{country, select, GB {In the UK: {n, plural, one {# day} other {# days}}} other {Elsewhere}}";
  CHECK(*format_message(pattern, "en", {{"country", "GB"}, {"n", "30"}}) == "In the UK: 30 days");
  CHECK(*format_message(pattern, "en", {{"country", "IT"}, {"n", 1}}) == "Elsewhere");
}

TEST_CASE("a missing argument or a non-number for a plural is an error naming the argument",
          "[content][icu]") {
  auto missing = format_message("Hello {name}", "en", json::object());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("{name}") != std::string::npos);
  auto wrong = format_message("{n, plural, other {#}}", "en", {{"n", "many"}});
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().message.find("{n}") != std::string::npos);
  CHECK(wrong.error().message.find("many") == std::string::npos);  // never the value
}

TEST_CASE("apostrophes in ordinary words need no quoting", "[content][icu]") {
  CHECK(*format_message("Don't worry, l'aide est gratuite.", "fr") == "Don't worry, l'aide est gratuite.");
  CHECK(*format_message("Use '{'braces'}' like this", "en") == "Use {braces} like this");
}

TEST_CASE("a syntax error names its character offset", "[content][icu]") {
  CHECK(gw::check_message_syntax("Hello {name}").ok());
  auto unclosed = gw::check_message_syntax("Hello {name");
  REQUIRE_FALSE(unclosed.ok());
  CHECK(unclosed.error().message.find("offset 6 ") != std::string::npos);
  CHECK(gw::check_message_syntax("A lone } is text to ICU").ok());
  // The offset counts characters, not bytes: "مرحبا " is 6 characters and 11 bytes.
  auto no_other = gw::check_message_syntax("مرحبا {n, plural, one {x}} and {name}");
  REQUIRE_FALSE(no_other.ok());
  CHECK(no_other.error().message.find("offset 6 ") != std::string::npos);
  CHECK(no_other.error().message.find("U_DEFAULT_KEYWORD_MISSING") != std::string::npos);
  // A quoted brace is text, so the error is the later one.
  auto quoted = gw::check_message_syntax("Use '{' and {x");
  REQUIRE_FALSE(quoted.ok());
  CHECK(quoted.error().message.find("offset 12 ") != std::string::npos);
}

TEST_CASE("message_arguments lists names inside plural and select branches", "[content][icu]") {
  const auto args = gw::message_arguments(
      "{gender, select, female {{name} has {n, plural, one {# child} other {# children named {kid}}}} other "
      "{{name}}}");
  CHECK(args == std::set<std::string>{"gender", "name", "n", "kid"});
  CHECK(gw::message_arguments("No arguments here.").empty());
  CHECK(gw::message_arguments("Broken {").empty());
}

TEST_CASE("right-to-left text passes through formatting byte for byte", "[content][icu][rtl]") {
  const std::string arabic = "مرحباً. هذا خط مساعدة مجاني وسري. أرسل STOP لإيقاف الرسائل.";
  CHECK(*format_message(arabic, "ar") == arabic);
  const std::string persian_name = "زهرا";
  CHECK(*format_message("سلام {name}!", "fa", {{"name", persian_name}}) == "سلام " + persian_name + "!");
}

TEST_CASE("sample arguments give numbers to plurals and text to the rest", "[content][icu]") {
  const json samples = gw::sample_arguments("{name}: {n, plural, one {#} other {#}}");
  CHECK(samples["n"] == 10);
  CHECK(samples["name"].is_string());
  CHECK(format_message("{name}: {n, plural, one {#} other {#}}", "en", samples).ok());
}

TEST_CASE("each argument's kind says how the message uses it, a plural use winning", "[content][icu]") {
  const auto kinds = gw::message_argument_kinds(
      "{who, select, a {{n, plural, one {#} other {#}}} other {{name}}} {n} {total, number} {rank, "
      "selectordinal, one {#st} other {#th}}");
  using K = gw::ArgumentKind;
  CHECK(kinds == std::map<std::string, K>{{"who", K::kSelect},
                                          {"n", K::kPlural},
                                          {"name", K::kText},
                                          {"total", K::kNumber},
                                          {"rank", K::kPlural}});
  CHECK(gw::message_argument_kinds("Broken {").empty());
}

TEST_CASE("the syntax offset is the one the error message names, in characters", "[content][icu]") {
  CHECK_FALSE(gw::message_syntax_offset("Hello {name}."));
  // ICU points at the name the brace leaves open: character 8, byte 14.
  const std::string broken = "Привіт {name там";
  REQUIRE(gw::message_syntax_offset(broken));
  CHECK(*gw::message_syntax_offset(broken) == 8);
  CHECK(gw::check_message_syntax(broken).error().message.find("at offset 8 ") != std::string::npos);
}
