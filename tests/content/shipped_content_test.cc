// The content shipped in this repository: translations that msgfmt accepts, a
// POT in step with templates/, and no content errors.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>

#include "gateway/content/content_check.h"
#include "gateway/content/content_set.h"
#include "gateway/content/renderer.h"
#include "tests/support/subprocess.h"

namespace {
const std::string kRoot = GATEWAY_SOURCE_DIR;
}

TEST_CASE("the shipped translations pass msgfmt --check", "[content][shipped]") {
  REQUIRE(std::filesystem::exists("/usr/bin/msgfmt"));
  std::vector<std::string> files = {kRoot + "/translations/messages.pot"};
  for (const auto& e : std::filesystem::directory_iterator(kRoot + "/translations")) {
    if (e.path().extension() == ".po") files.push_back(e.path().string());
  }
  CHECK(files.size() >= 4);  // the POT, ar, fr and uk at least
  for (const std::string& path : files) {
    REQUIRE(std::filesystem::exists(path));
    auto r = gw::testing::run_process({"/usr/bin/msgfmt", "--check", "-o", "/dev/null", path});
    INFO(path << "\n" << r.err);
    CHECK(r.exit_code == 0);
  }
}

TEST_CASE("the shipped content has no errors and every shipped language is complete", "[content][shipped]") {
  const auto problems = gw::check_content(kRoot);
  std::string errors;
  for (const auto& p : problems) {
    if (p.severity == gw::Severity::kError) errors += p.to_string() + "\n";
  }
  INFO(errors);
  CHECK_FALSE(gw::has_errors(problems));
  for (const auto& s : gw::content_stats(kRoot)) {
    INFO(s.language);
    CHECK(s.untranslated == 0);
  }
}

TEST_CASE("the shipped content renders the welcome in Arabic, French and Ukrainian", "[content][shipped]") {
  auto content = gw::load_content(kRoot);
  REQUIRE(content.ok());
  gw::Renderer r(std::move(*content));
  const auto langs = r.languages();
  REQUIRE_FALSE(langs.empty());
  CHECK(langs.front() == "en");
  for (const char* lang : {"ar", "fr", "uk"})
    CHECK(std::find(langs.begin(), langs.end(), lang) != langs.end());
  for (const char* lang : {"ar", "fr", "uk"}) {
    auto out = r.render("system.welcome", lang, "sms");
    REQUIRE(out.ok());
    CHECK(out->language == lang);
    CHECK(out->text.find("STOP") != std::string::npos);
  }
  const auto stop = r.keywords("keyword.stop", "ar");
  CHECK(std::find(stop.begin(), stop.end(), "STOP") != stop.end());
  CHECK(stop.front() != "STOP");  // the Arabic words come first
}
