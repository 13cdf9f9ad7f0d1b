#include "gateway/content/content_set.h"

#include <algorithm>
#include <filesystem>

namespace gw {
namespace fs = std::filesystem;

std::vector<std::string> po_files(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  const fs::path folder = fs::path(dir) / "translations";
  if (!fs::is_directory(folder, ec)) return out;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (entry.is_regular_file(ec) && entry.path().extension() == ".po") out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<ContentSet> load_content(const std::string& dir) {
  ContentSet content;
  std::string problems;
  auto problem = [&](const std::string& p) { problems += (problems.empty() ? "" : "\n") + p; };
  auto templates = TemplateCatalog::load((fs::path(dir) / "templates").string());
  if (!templates) {
    if (templates.error().code == ErrorCode::kNotFound) return templates.error();
    problem(templates.error().message);
  } else {
    content.templates = std::move(*templates);
  }
  for (const auto& path : po_files(dir)) {
    auto po = PoCatalog::read(path);
    if (!po) {
      problem(po.error().message);
      continue;
    }
    const std::string lang = po->language();
    if (content.translations.count(lang)) {
      problem(path + ": a second catalog for language " + lang);
      continue;
    }
    content.translations.emplace(lang, std::move(*po));
  }
  if (!problems.empty()) return Error::invalid(problems);
  return content;
}

}  // namespace gw
