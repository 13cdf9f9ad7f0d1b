// `gateway content stats`: the per-language table of flows/README.md, computed
// from a content folder built for the test.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace fs = std::filesystem;
using gw::testing::run_process;

namespace {
const std::string kGateway = GATEWAY_BINARY;

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

constexpr const char* kPoHeader =
    "msgid \"\"\nmsgstr \"\"\n\"Language: LANG\\n\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
    "\"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"\n\n";

std::string po(const std::string& lang, const std::string& entries) {
  std::string h = kPoHeader;
  h.replace(h.find("LANG"), 4, lang);
  return h + entries;
}
}  // namespace

TEST_CASE("content stats prints translated and fuzzy shares and the longest SMS per language",
          "[cli][content]") {
  const std::string dir = gw::testing::make_temp_dir("gw-stats");
  // Four strings; the English "long" one takes two GSM-7 segments.
  write(fs::path(dir) / "templates" / "t.json", R"({
    "a.one": {"text": "One", "sms_segments": 1},
    "a.two": {"text": "Two", "sms_segments": 1},
    "a.three": {"text": "Three", "sms_segments": 1},
    "a.long": {"text": ")" + std::string(200, 'x') + R"(", "sms_segments": 2}
  })");
  // French: two translated, one fuzzy, one missing. Arabic: one translated, in UCS-2
  // and long enough for three segments.
  write(fs::path(dir) / "translations" / "fr.po",
        po("fr",
           "msgctxt \"a.one\"\nmsgid \"One\"\nmsgstr \"Un\"\n\n"
           "msgctxt \"a.two\"\nmsgid \"Two\"\nmsgstr \"Deux\"\n\n"
           "#, fuzzy\nmsgctxt \"a.three\"\nmsgid \"Three\"\nmsgstr \"Trois\"\n"));
  std::string arabic;
  for (int i = 0; i < 75; ++i) arabic += "\u0628\u0628";  // 150 characters: 3 UCS-2 segments
  write(fs::path(dir) / "translations" / "ar.po",
        po("ar", "msgctxt \"a.long\"\nmsgid \"" + std::string(200, 'x') + "\"\nmsgstr \"" + arabic + "\"\n"));

  auto r = run_process({kGateway, "content", "stats", "--content", dir});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("| language | translated | fuzzy (drafts) | untranslated | longest SMS (segments) |") ==
        0);
  CHECK(r.out.find("| en | 100.0 % | 0.0 % | 0 | 2 |") != std::string::npos);
  CHECK(r.out.find("| fr | 50.0 % | 25.0 % | 1 | 1 |") != std::string::npos);
  CHECK(r.out.find("| ar | 25.0 % | 0.0 % | 3 | 3 |") != std::string::npos);
  // The source language comes first.
  CHECK(r.out.find("| en |") < r.out.find("| ar |"));
}

TEST_CASE("content stats on a folder without templates fails with one line naming it", "[cli][content]") {
  const std::string dir = gw::testing::make_temp_dir("gw-stats-empty");
  auto r = run_process({kGateway, "content", "stats", "--content", dir});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("templates") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}
