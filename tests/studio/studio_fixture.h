// StudioFixture: a SQLite store, a copy of the shipped content in a temporary
// directory, and the ContentLibrary over both, as `gateway serve` opens them.
#pragma once

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "gateway/content/content_files.h"
#include "gateway/studio/content_library.h"
#include "tests/store/store_fixture.h"
#include "tests/support/temp_dir.h"

namespace gw::testing {

inline ContentFiles shipped_content() {
  auto files = read_content_files(GATEWAY_SOURCE_DIR);
  REQUIRE(files.ok());
  return *files;
}

struct StudioFixture : StoreFixture {
  TempDir content_dir{"gw-content"};
  ContentLibraryOptions options;
  std::unique_ptr<ContentLibrary> library;

  explicit StudioFixture(bool four_eyes = false, bool in_file = false) : StoreFixture(in_file) {
    REQUIRE(write_content_files(shipped_content(), content_dir.path().string()).ok());
    options.files_dir = content_dir.path().string();
    options.publish_requires_second_person = four_eyes;
    open_library();
  }

  void open_library() {
    library.reset();
    auto lib = ContentLibrary::open(*store, clock, options);
    if (!lib.ok()) FAIL(lib.error().message);
    library = std::move(*lib);
  }

  static Editor person(const std::string& name, const std::string& role, bool reviewer = false,
                       int64_t id = 0) {
    Editor e;
    e.account_id = id ? id : static_cast<int64_t>(std::hash<std::string>{}(name) % 1000 + 1);
    e.username = name;
    e.role = role;
    e.reviewer = reviewer;
    return e;
  }

  // The text the live gateway sends for `key` in `lang` by SMS now.
  std::string live_text(const std::string& key, const std::string& lang) {
    auto current = library->live().current();
    auto r = current->renderer->render(key, lang, "sms");
    REQUIRE(r.ok());
    return r->text;
  }

  int64_t save(const std::string& entry, const nlohmann::ordered_json& value, const Editor& who) {
    auto d = library->draft();
    REQUIRE(d.ok());
    auto r = library->save(entry, value, (*d)->revision_of(entry), who);
    if (!r.ok()) FAIL(r.error().message);
    return *r;
  }
};

}  // namespace gw::testing
