#include "gateway/content/template_catalog.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

namespace gw {
namespace fs = std::filesystem;

namespace {

// Reads one template object; returns false after reporting a problem.
bool parse_template(const nlohmann::json& v, Template* t,
                    const std::function<void(const std::string&)>& problem) {
  if (!v.is_object()) {
    problem("must be an object with a \"text\" string");
    return false;
  }
  bool ok = true;
  auto bad = [&](const std::string& m) {
    problem(m);
    ok = false;
  };
  if (!v.contains("text") || !v["text"].is_string()) bad("needs a \"text\" string");
  for (const auto& [field, value] : v.items()) {
    if (field == "text") {
      if (value.is_string()) t->text = value.get<std::string>();
    } else if (field == "comment") {
      if (value.is_string())
        t->comment = value.get<std::string>();
      else
        bad("\"comment\" must be a string");
    } else if (field == "content_sid") {
      if (value.is_string() && value.get<std::string>().rfind("HX", 0) == 0)
        t->content_sid = value.get<std::string>();
      else
        bad("\"content_sid\" must be a string starting with HX");
    } else if (field == "sms_segments") {
      if (value.is_number_integer() && value.get<long long>() > 0 && value.get<long long>() < 100) {
        t->sms_segments = value.get<int>();
      } else {
        bad("\"sms_segments\" must be a whole number from 1 to 99");
      }
    } else if (field == "keywords") {
      if (value.is_boolean())
        t->keywords = value.get<bool>();
      else
        bad("\"keywords\" must be true or false");
    } else if (field == "reviewed") {
      if (value.is_boolean())
        t->reviewed = value.get<bool>();
      else
        bad("\"reviewed\" must be true or false");
    } else if (field == "source") {
      if (value.is_string())
        t->source = value.get<std::string>();
      else
        bad("\"source\" must be a string");
    } else if (field == "reviewed_by" || field == "reviewed_at") {
      if (value.is_string())
        (field == "reviewed_by" ? t->reviewed_by : t->reviewed_at) = value.get<std::string>();
      else
        bad("\"" + field + "\" must be a string");
    } else if (field == "variants") {
      if (!value.is_object()) {
        bad("\"variants\" must be an object of channel → text");
        continue;
      }
      const auto& channels = TemplateCatalog::variant_channels();
      for (const auto& [channel, text] : value.items()) {
        if (std::find(channels.begin(), channels.end(), channel) == channels.end()) {
          bad("unknown variant channel \"" + channel + "\" (sms, whatsapp, telegram, web)");
        } else if (!text.is_string() || text.get<std::string>().empty()) {
          bad("variant \"" + channel + "\" must be a non-empty string");
        } else {
          t->variants[channel] = text.get<std::string>();
        }
      }
    } else {
      bad("unknown field \"" + field + "\"");
    }
  }
  if (ok && t->text.empty()) bad("\"text\" must not be empty");
  if (ok && t->keywords && !t->variants.empty()) bad("a keyword template has no channel variants");
  return ok;
}

}  // namespace

std::vector<std::string> TemplateCatalog::check_template(const nlohmann::json& value) {
  std::vector<std::string> problems;
  Template t;
  parse_template(value, &t, [&problems](const std::string& m) { problems.push_back(m); });
  return problems;
}

std::string TemplateProblem::to_string() const {
  return file + (key.empty() ? "" : ":" + key) + ": " + message;
}

const std::vector<std::string>& TemplateCatalog::variant_channels() {
  static const std::vector<std::string> kChannels = {"sms", "whatsapp", "telegram", "web"};
  return kChannels;
}

TemplateCatalog TemplateCatalog::load_collecting(const std::string& dir,
                                                 std::vector<TemplateProblem>* problems) {
  TemplateCatalog catalog;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    problems->push_back({dir, "", "no templates folder"});
    return catalog;
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path);
    nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
      problems->push_back({path.string(), "", "not a JSON object"});
      continue;
    }
    for (auto& [key, v] : doc.items()) {
      Template t;
      t.key = key;
      t.file = path.string();
      auto problem = [&](const std::string& m) { problems->push_back({path.string(), t.key, m}); };
      if (key.empty() || key.find('#') != std::string::npos) {
        problem("a key must be non-empty and must not contain '#' (it separates channel variants)");
        continue;
      }
      if (!parse_template(v, &t, problem)) continue;
      if (auto it = catalog.templates_.find(key); it != catalog.templates_.end()) {
        problem("already defined in " + it->second.file);
        continue;
      }
      catalog.templates_[key] = std::move(t);
    }
  }
  return catalog;
}

Result<TemplateCatalog> TemplateCatalog::load(const std::string& dir) {
  std::vector<TemplateProblem> problems;
  TemplateCatalog catalog = load_collecting(dir, &problems);
  if (problems.size() == 1 && problems[0].key.empty() && problems[0].message == "no templates folder") {
    return Error::not_found(dir + ": no templates folder");
  }
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "\n") + p.to_string();
    return Error::invalid(all);
  }
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

std::vector<std::string> TemplateCatalog::split_keywords(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    const auto b = item.find_first_not_of(" \t\n");
    const auto e = item.find_last_not_of(" \t\n");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

std::vector<std::string> TemplateCatalog::keywords(const std::string& key) const {
  const Template* t = find(key);
  if (!t) return {};
  return split_keywords(t->text);
}

}  // namespace gw
