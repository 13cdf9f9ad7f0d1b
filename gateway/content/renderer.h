// Renderer: a template key + variables → the text to send, in the person's
// language, for a channel.
//
// For each language of the person's fallback chain (LanguagePolicy::chain), best
// first: the channel's variant in that language when the template has one, else
// the main text in that language. A missing or empty translation, a draft (fuzzy)
// one when drafts are not served, or one that fails to format (a syntax error, a
// placeholder it invents) moves on to the next language, so the source language
// always answers and a message is never empty. A formatting failure is logged
// with the key and language only, never the text or the values.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gateway/content/content_set.h"
#include "gateway/content/languages.h"
#include "gateway/core/result.h"

namespace gw {

struct RenderOptions {
  // Serve translations still marked fuzzy (machine drafts): an imperfect answer
  // in the person's language beats silence. Each one served is counted.
  bool serve_fuzzy = true;
  // Log each translation that fails to format (key and language only). Checks,
  // which report those failures themselves, turn it off.
  bool log_failures = true;
  // Who runs the helpline: the value of {organisation} wherever a template uses
  // it and the caller gives none (config organisation.name). Empty: the
  // template organisation.default, rendered in the same language.
  std::string organisation;
};

inline constexpr const char* kOrganisationDefaultTemplate = "organisation.default";

struct Rendered {
  std::string text;
  std::string language;  // the language actually used
  std::string key;
  std::string encoding;    // "GSM-7" or "UCS-2", as an SMS would be sent
  int segments = 1;        // SMS segments (computed for every channel, for display)
  bool fell_back = false;  // the language used is not the one asked for
  bool fuzzy = false;      // a draft translation was served
};

class Renderer {
 public:
  explicit Renderer(ContentSet content, LanguagePolicy policy = {}, RenderOptions options = {});

  // The channels render() accepts.
  static const std::vector<std::string>& channels();

  // Renders `key` for a person whose language is `lang` on `channel` ("sms",
  // "whatsapp", "telegram", "web") with `vars` (an object of argument → value).
  // Errors: an unknown key or channel, or a source text that cannot be formatted
  // with `vars` (e.g. a missing argument) when no translation could be.
  Result<Rendered> render(const std::string& key, const std::string& lang, const std::string& channel,
                          const nlohmann::json& vars = nlohmann::json::object()) const;

  // Every keyword of keyword template `key` for `lang`: its chain's translations,
  // then the source language's, without duplicates. Empty for an unknown key.
  std::vector<std::string> keywords(const std::string& key, const std::string& lang) const;

  // The languages that can be rendered: the source language, then each loaded
  // translation, sorted.
  std::vector<std::string> languages() const;

  const LanguagePolicy& policy() const { return policy_; }
  const ContentSet& content() const { return content_; }
  // How many fuzzy translations render() has served.
  uint64_t fuzzy_served() const { return fuzzy_served_->load(); }

 private:
  // The ICU source of `key` (variant for `channel` first) in `lang`, in order of
  // preference; `fuzzy` says whether each is a draft.
  struct Candidate {
    const std::string* pattern;
    bool fuzzy;
  };
  std::vector<Candidate> candidates(const Template& t, const std::string& lang,
                                    const std::string& channel) const;

  ContentSet content_;
  LanguagePolicy policy_;
  RenderOptions options_;
  std::shared_ptr<std::atomic<uint64_t>> fuzzy_served_ = std::make_shared<std::atomic<uint64_t>>(0);
};

}  // namespace gw
