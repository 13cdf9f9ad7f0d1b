// `gateway check` and `gateway content extract` on whole content folders: the
// shipped one, and copies of it broken on purpose.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace fs = std::filesystem;
using gw::testing::run_process;

namespace {

const std::string kGateway = GATEWAY_BINARY;
const std::string kSource = GATEWAY_SOURCE_DIR;

// A copy of the shipped flows/, templates/ and translations/ to break.
std::string copy_content() {
  std::string dir = gw::testing::make_temp_dir("gw-check");
  for (const char* sub : {"flows", "templates", "translations"}) {
    fs::copy(fs::path(kSource) / sub, fs::path(dir) / sub, fs::copy_options::recursive);
  }
  return dir;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

void replace_in(const fs::path& p, const std::string& from, const std::string& to) {
  std::string s = read(p);
  auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  s.replace(at, from.size(), to);
  write(p, s);
}

// The untranslated count `gateway check` reports for `lang` ("ar: 3 translated,
// 1 fuzzy, 5 untranslated"), -1 when absent.
int untranslated(const std::string& err, const std::string& lang) {
  const std::string head = "warning: " + lang + ": ";
  auto at = err.find(head);
  if (at == std::string::npos) return -1;
  auto end = err.find(" untranslated", at);
  if (end == std::string::npos) return -1;
  auto start = err.rfind(' ', end - 1);
  return std::stoi(err.substr(start + 1, end - start - 1));
}

}  // namespace

TEST_CASE("gateway check passes on the shipped content and prints per-language counts", "[cli][check]") {
  auto r = run_process({kGateway, "check", "--content", kSource});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("check: 0 errors") != std::string::npos);
  CHECK(r.err.find("translations/ar.po: warning: ar: ") != std::string::npos);
}

TEST_CASE("gateway check names the file and place of a dangling node and of an unknown template",
          "[cli][check]") {
  std::string dir = copy_content();
  replace_in(fs::path(dir) / "flows/main.json", R"("next": "bye")", R"("next": "nowhere")");
  replace_in(fs::path(dir) / "flows/main.json", R"("say": ["menu.bye"])", R"("say": ["main.gone"])");
  auto r = run_process({kGateway, "check", "--content", dir});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("main.json:$.nodes.menu.next: error:") != std::string::npos);
  CHECK(r.err.find("nowhere") != std::string::npos);
  CHECK(r.err.find("main.gone") != std::string::npos);
  CHECK(r.out.find("check: 2 errors") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("gateway check reports an ICU syntax error in a translation with its file and line",
          "[cli][check]") {
  std::string dir = copy_content();
  replace_in(fs::path(dir) / "translations/fr.po", "\"Vous recevrez de nouveau",
             "\"Vous recevrez {de nouveau");
  auto r = run_process({kGateway, "check", "--content", dir});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("translations/fr.po:") != std::string::npos);
  CHECK(r.err.find(": error: ") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("gateway content extract adds a new template to every PO file, which msgfmt accepts",
          "[cli][check]") {
  std::string dir = copy_content();
  const int untranslated_before = untranslated(run_process({kGateway, "check", "--content", dir}).err, "ar");
  CHECK(untranslated_before >= 0);
  write(fs::path(dir) / "templates/extra.json",
        R"({"extra.thanks": {"text": "Thank you.", "comment": "Said after an answer."}})");
  auto r = run_process({kGateway, "content", "extract", "--content", dir});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* f : {"translations/messages.pot", "translations/ar.po", "translations/uk.po"}) {
    INFO(f);
    CHECK(read(fs::path(dir) / f).find("msgctxt \"extra.thanks\"") != std::string::npos);
  }
  auto fmt = run_process({"/usr/bin/msgfmt", "--check", "-o", "/dev/null", dir + "/translations/ar.po"});
  CHECK(fmt.exit_code == 0);
  // Untranslated now: a warning, not an error.
  auto check = run_process({kGateway, "check", "--content", dir});
  CHECK(check.exit_code == 0);
  CHECK(untranslated(check.err, "ar") == untranslated_before + 1);
  fs::remove_all(dir);
}

TEST_CASE("gateway content extract on a folder without templates fails with one line", "[cli][check]") {
  std::string dir = gw::testing::make_temp_dir("gw-extract");
  auto r = run_process({kGateway, "content", "extract", "--content", dir});
  CHECK(r.exit_code == 1);
  CHECK(r.err.rfind("gateway content extract: ", 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  fs::remove_all(dir);
}
