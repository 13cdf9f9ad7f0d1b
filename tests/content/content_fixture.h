// ContentFixture: a throwaway content directory (templates/, translations/) in
// the system temp dir, removed when the test ends.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/temp_dir.h"

namespace gw::testing {

class ContentFixture {
 public:
  ContentFixture() {
    std::filesystem::create_directories(dir_ + "/templates");
    std::filesystem::create_directories(dir_ + "/translations");
  }
  ContentFixture(const ContentFixture&) = delete;
  ContentFixture& operator=(const ContentFixture&) = delete;

  const std::string& dir() const { return dir_; }
  std::string path(const std::string& relative) const { return dir_ + "/" + relative; }

  // Writes `text` to `relative` (e.g. "templates/a.json").
  void write(const std::string& relative, const std::string& text) const {
    std::ofstream(path(relative), std::ios::binary) << text;
  }
  std::string read(const std::string& relative) const {
    std::ifstream in(path(relative), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  TempDir temp_{"gw-content"};
  std::string dir_ = temp_.path().string();
};

// A PO header for `lang` with the given Plural-Forms line.
inline std::string po_header(const std::string& lang,
                             const std::string& plural_forms = "nplurals=2; plural=(n != 1);") {
  return "msgid \"\"\n"
         "msgstr \"\"\n"
         "\"Project-Id-Version: test\\n\"\n"
         "\"Language: " +
         lang +
         "\\n\"\n"
         "\"MIME-Version: 1.0\\n\"\n"
         "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
         "\"Content-Transfer-Encoding: 8bit\\n\"\n"
         "\"Plural-Forms: " +
         plural_forms + "\\n\"\n\n";
}

// One PO entry.
inline std::string po_entry(const std::string& msgctxt, const std::string& msgid, const std::string& msgstr,
                            bool fuzzy = false) {
  return std::string(fuzzy ? "#, fuzzy\n" : "") + "msgctxt \"" + msgctxt + "\"\nmsgid \"" + msgid +
         "\"\nmsgstr \"" + msgstr + "\"\n\n";
}

}  // namespace gw::testing
