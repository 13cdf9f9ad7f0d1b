// Translation catalogs: any file content read as translations/ar.po through
// libgettextpo never crashes the reader, and what it accepts is consistent.
#include "fuzz/fuzz_check.h"
#include "fuzz/temp_file.h"
#include "gateway/content/po_catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const gw::fuzz::TempDir dir;
  const std::string path = dir.write("ar.po", gw::fuzz::text(data, size));
  std::vector<gw::PoProblem> problems;
  auto catalog = gw::PoCatalog::read(path, &problems);
  for (const gw::PoProblem& p : problems) (void)p.to_string();
  if (!catalog) return 0;
  FUZZ_CHECK(catalog->language() == "ar");
  for (const gw::PoEntry& e : catalog->entries()) {
    if (!e.msgctxt.empty()) FUZZ_CHECK(catalog->find(e.msgctxt) != nullptr);
  }
  return 0;
}
