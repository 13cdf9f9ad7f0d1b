#include "gateway/content/po_catalog.h"

#include <malloc.h>

#include <catch2/catch.hpp>
#include <string>
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
// The sanitizers' runtime has it; GCC ships no header for it (allocator_interface.h).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

#include "tests/content/content_fixture.h"

using gw::PoCatalog;
using gw::testing::ContentFixture;
using gw::testing::po_entry;
using gw::testing::po_header;

TEST_CASE("a PO file is read by msgctxt with fuzzy drafts flagged and obsolete entries ignored",
          "[content][po]") {
  ContentFixture f;
  f.write("translations/fr.po", po_header("fr") + po_entry("system.welcome", "Hello.", "Bonjour.") +
                                    po_entry("system.welcome#sms", "Hi.", "Salut.", true) +
                                    po_entry("system.help", "Help.", "") +
                                    "#~ msgctxt \"system.gone\"\n#~ msgid \"Gone\"\n#~ msgstr \"Parti\"\n");
  auto po = PoCatalog::read(f.path("translations/fr.po"));
  REQUIRE(po.ok());
  CHECK(po->language() == "fr");
  CHECK(po->header_language() == "fr");
  CHECK(po->plural_forms() == "nplurals=2; plural=(n != 1);");
  REQUIRE(po->entries().size() == 3);
  CHECK(po->find("system.welcome")->msgstr == "Bonjour.");
  CHECK_FALSE(po->find("system.welcome")->fuzzy);
  CHECK(po->find("system.welcome#sms")->fuzzy);
  CHECK(po->find("system.help")->msgstr.empty());
  CHECK(po->find("system.gone") == nullptr);
  CHECK(po->find("system.welcome")->line == 10);
}

TEST_CASE("a PO syntax error becomes an error naming file and line", "[content][po]") {
  ContentFixture f;
  f.write("translations/ar.po", po_header("ar") + "msgctxt \"a\"\nmsgid \"x\"\nmsgstr \"unterminated\n");
  std::vector<gw::PoProblem> problems;
  auto po = PoCatalog::read(f.path("translations/ar.po"), &problems);
  REQUIRE_FALSE(po.ok());
  CHECK(po.error().message.find("ar.po:13:") !=
        std::string::npos);  // libgettextpo reports the line after an unterminated string
  REQUIRE_FALSE(problems.empty());
  CHECK(problems[0].line == 13);
}

TEST_CASE("a duplicate msgctxt is a read error", "[content][po]") {
  ContentFixture f;
  f.write("translations/uk.po", po_header("uk") + po_entry("a", "x", "y") + po_entry("a", "x", "z"));
  auto po = PoCatalog::read(f.path("translations/uk.po"));
  REQUIRE_FALSE(po.ok());
  CHECK(po.error().message.find("uk.po:") != std::string::npos);
}

TEST_CASE("the language comes from the file name, normalised", "[content][po]") {
  ContentFixture f;
  f.write("translations/fa_AF.po", po_header("fa_AF") + po_entry("a", "x", "y"));
  auto po = PoCatalog::read(f.path("translations/fa_AF.po"));
  REQUIRE(po.ok());
  CHECK(po->language() == "fa-AF");
  CHECK_FALSE(PoCatalog::read(f.path("translations/none.po")).ok());
}

namespace {

// Bytes the process has allocated and not freed: the sanitizers' allocator when it
// replaces malloc, glibc's main arena otherwise (this test allocates on the main thread).
size_t allocated_bytes() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return __sanitizer_get_current_allocated_bytes();
#else
  return mallinfo2().uordblks;
#endif
}

}  // namespace

TEST_CASE("reading a PO catalog again and again keeps no memory per read", "[content][po]") {
  // A shipped catalog: some 150 entries, each with its msgctxt. libgettextpo's
  // po_file_free leaves every msgctxt allocated unless the reader frees them.
  const std::string path = std::string(GATEWAY_SOURCE_DIR) + "/translations/ar.po";
  constexpr int kReads = 40;
  // Warm up: one-time allocations, and the allocator's own first growth.
  for (int i = 0; i < 10; ++i) REQUIRE(PoCatalog::read(path).ok());
  const size_t before = allocated_bytes();
  for (int i = 0; i < kReads; ++i) REQUIRE(PoCatalog::read(path).ok());
  const size_t after = allocated_bytes();
  const size_t grown = after > before ? after - before : 0;
  // Unfreed msgctxts cost this file ~2.9 KB a read (~6 KB with malloc's overhead);
  // what libgettextpo itself keeps (its copy of the file name, ...) a few hundred bytes.
  CHECK(grown < kReads * 1024);
}
