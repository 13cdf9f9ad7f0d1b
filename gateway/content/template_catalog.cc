#include "gateway/content/template_catalog.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace gw {
namespace fs = std::filesystem;

Result<TemplateCatalog> TemplateCatalog::load(const std::string& dir) {
  TemplateCatalog catalog;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Error::not_found(dir + ": no templates folder");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::string problems;
  auto problem = [&](const std::string& p) { problems += (problems.empty() ? "" : "\n") + p; };
  for (const auto& path : files) {
    std::ifstream in(path);
    nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
      problem(path.string() + ": not a JSON object");
      continue;
    }
    for (auto& [key, v] : doc.items()) {
      if (!v.is_object() || !v.contains("text") || !v["text"].is_string()) {
        problem(path.string() + ": " + key + ": needs a \"text\" string");
        continue;
      }
      Template t;
      t.key = key;
      t.text = v["text"].get<std::string>();
      t.comment = v.value("comment", "");
      t.content_sid = v.value("content_sid", "");
      t.sms_segments = v.value("sms_segments", 0);
      t.keywords = v.value("keywords", false);
      t.file = path.string();
      if (catalog.templates_.count(key)) {
        problem(path.string() + ": " + key + ": already defined in " + catalog.templates_[key].file);
        continue;
      }
      catalog.templates_[key] = std::move(t);
    }
  }
  if (!problems.empty()) return Error::invalid(problems);
  return catalog;
}

const Template* TemplateCatalog::find(const std::string& key) const {
  auto it = templates_.find(key);
  return it == templates_.end() ? nullptr : &it->second;
}

std::string TemplateCatalog::text(const std::string& key) const {
  const Template* t = find(key);
  return t ? t->text : key;
}

std::vector<std::string> TemplateCatalog::keywords(const std::string& key) const {
  std::vector<std::string> out;
  const Template* t = find(key);
  if (!t) return out;
  std::stringstream ss(t->text);
  for (std::string item; std::getline(ss, item, ',');) {
    const auto b = item.find_first_not_of(" \t\n");
    const auto e = item.find_last_not_of(" \t\n");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

}  // namespace gw
