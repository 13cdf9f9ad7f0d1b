#include "gateway/content/renderer.h"

#include <algorithm>

#include "gateway/content/icu_message.h"
#include "gateway/content/sms_encoding.h"
#include "gateway/core/log.h"

namespace gw {

Renderer::Renderer(ContentSet content, LanguagePolicy policy, RenderOptions options)
    : content_(std::move(content)), policy_(std::move(policy)), options_(options) {}

const std::vector<std::string>& Renderer::channels() {
  static const std::vector<std::string> kChannels = {"sms", "whatsapp", "telegram", "web"};
  return kChannels;
}

std::vector<Renderer::Candidate> Renderer::candidates(const Template& t, const std::string& lang,
                                                      const std::string& channel) const {
  std::vector<Candidate> out;
  const bool has_variant = t.variants.count(channel) > 0;
  if (lang == policy_.source_language()) {
    if (has_variant) out.push_back({&t.variants.at(channel), false});
    out.push_back({&t.text, false});
    return out;
  }
  auto po = content_.translations.find(lang);
  if (po == content_.translations.end()) return out;
  auto add = [&](const std::string& context) {
    const PoEntry* e = po->second.find(context);
    if (!e || e->msgstr.empty()) return;
    if (e->fuzzy && !options_.serve_fuzzy) return;
    out.push_back({&e->msgstr, e->fuzzy});
  };
  if (has_variant) add(po_context(t.key, channel));
  add(t.key);
  return out;
}

Result<Rendered> Renderer::render(const std::string& key, const std::string& lang, const std::string& channel,
                                  const nlohmann::json& vars) const {
  const Template* t = content_.templates.find(key);
  if (!t) return Error::not_found("unknown template key " + key);
  if (std::find(channels().begin(), channels().end(), channel) == channels().end()) {
    return Error::invalid("unknown channel " + channel);
  }
  if (!vars.contains("organisation") && key != kOrganisationDefaultTemplate &&
      t->text.find("{organisation}") != std::string::npos) {
    nlohmann::json with = vars.is_object() ? vars : nlohmann::json::object();
    if (!options_.organisation.empty()) {
      with["organisation"] = options_.organisation;
    } else {
      auto name = render(kOrganisationDefaultTemplate, lang, channel);
      with["organisation"] = name ? name->text : std::string();
    }
    return render(key, lang, channel, with);
  }
  const std::vector<std::string> chain = policy_.chain(lang);
  Error last = Error::internal("template " + key + " has no text");
  for (const std::string& l : chain) {
    for (const Candidate& c : candidates(*t, l, channel)) {
      auto text = format_message(*c.pattern, l, vars);
      if (!text || text->empty()) {
        if (!text) last = Error::invalid("template " + key + " (" + l + "): " + text.error().message);
        if (options_.log_failures) {
          log::warn("content.format_failed", {{"key", key}, {"language", l}, {"channel", channel}});
        }
        continue;
      }
      Rendered r;
      r.text = std::move(*text);
      r.language = l;
      r.key = key;
      const SegmentCount count = count_segments(r.text);
      r.encoding = sms_encoding_name(count.encoding);
      r.segments = count.segments;
      r.fell_back = l != chain.front();
      r.fuzzy = c.fuzzy;
      if (c.fuzzy) fuzzy_served_->fetch_add(1);
      return r;
    }
  }
  return last;
}

std::vector<std::string> Renderer::keywords(const std::string& key, const std::string& lang) const {
  std::vector<std::string> out;
  const Template* t = content_.templates.find(key);
  if (!t) return out;
  auto add_all = [&](const std::string& list) {
    for (auto& k : TemplateCatalog::split_keywords(list)) {
      if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(std::move(k));
    }
  };
  for (const std::string& l : policy_.chain(lang)) {
    if (l == policy_.source_language()) continue;
    auto po = content_.translations.find(l);
    if (po == content_.translations.end()) continue;
    const PoEntry* e = po->second.find(key);
    if (e && !e->msgstr.empty() && (!e->fuzzy || options_.serve_fuzzy)) add_all(e->msgstr);
  }
  add_all(t->text);
  return out;
}

std::vector<std::string> Renderer::languages() const {
  std::vector<std::string> out = {policy_.source_language()};
  for (const auto& [lang, po] : content_.translations) {
    if (lang != policy_.source_language()) out.push_back(lang);
  }
  std::sort(out.begin() + 1, out.end());
  return out;
}

}  // namespace gw
