#include "gateway/content/content_check.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "gateway/content/content_set.h"
#include "gateway/content/discretion.h"
#include "gateway/content/icu_message.h"
#include "gateway/content/renderer.h"

namespace gw {
namespace fs = std::filesystem;
namespace {

// One translatable string: a template's main text or one of its variants.
struct Unit {
  const Template* t;
  std::string channel;  // empty for the main text
  const std::string& source() const { return channel.empty() ? t->text : t->variants.at(channel); }
  std::string context() const { return po_context(t->key, channel); }
};

std::vector<Unit> units_of(const TemplateCatalog& templates) {
  std::vector<Unit> out;
  for (const auto& [key, t] : templates.all()) {
    out.push_back({&t, ""});
    for (const auto& [channel, text] : t.variants) out.push_back({&t, channel});
  }
  return out;
}

struct Loaded {
  std::string dir;
  TemplateCatalog templates;
  std::vector<TemplateProblem> template_problems;
  std::map<std::string, PoCatalog> translations;
  std::vector<std::pair<std::string, std::vector<PoProblem>>> po_problems;  // path → problems
  std::vector<std::string> unreadable;                                      // PO files that failed
};

std::string relative(const std::string& dir, const std::string& path) {
  std::error_code ec;
  const fs::path rel = fs::relative(path, dir, ec);
  if (ec || rel.empty() || rel.string().rfind("..", 0) == 0) return path;
  return rel.string();
}

Loaded load(const std::string& dir) {
  Loaded l;
  l.dir = dir;
  l.templates =
      TemplateCatalog::load_collecting((fs::path(dir) / "templates").string(), &l.template_problems);
  for (const auto& path : po_files(dir)) {
    std::vector<PoProblem> problems;
    auto po = PoCatalog::read(path, &problems);
    l.po_problems.emplace_back(path, std::move(problems));
    if (!po) {
      l.unreadable.push_back(path);
      continue;
    }
    l.translations.emplace(po->language(), std::move(*po));
  }
  return l;
}

// A renderer over the valid part of the content, for budgets and statistics.
Renderer renderer_of(const Loaded& l, const LanguagePolicy& policy) {
  ContentSet set;
  set.templates = l.templates;
  set.translations = l.translations;
  RenderOptions options;
  options.log_failures = false;
  return Renderer(std::move(set), policy, options);
}

// The SMS encoding and segments of `t` rendered in `lang` with sample values,
// when the text actually used is in `lang` (not a fallback); 0 segments otherwise.
struct SmsSize {
  std::string encoding;  // "GSM-7" or "UCS-2"
  int segments = 0;
};
SmsSize sms_size_in(const Renderer& r, const Template& t, const std::string& lang) {
  if (t.keywords) return {};
  const std::string& pattern = t.variants.count("sms") ? t.variants.at("sms") : t.text;
  auto rendered = r.render(t.key, lang, "sms", sample_arguments(pattern));
  if (!rendered || rendered->language != lang) return {};
  return {rendered->encoding, rendered->segments};
}

int sms_segments_in(const Renderer& r, const Template& t, const std::string& lang) {
  return sms_size_in(r, t, lang).segments;
}

// The problem text when `t` rendered in `lang` goes over its budget, else "".
// The budget is `sms_segments` for GSM-7 text and one more for UCS-2 text:
// a UCS-2 segment holds 67 characters instead of 153, so the same words in
// Arabic or Ukrainian need about twice the segments of English.
std::string over_budget(const Renderer& r, const Template& t, const std::string& lang) {
  const SmsSize size = sms_size_in(r, t, lang);
  const int allowed = t.sms_segments + (size.encoding == "UCS-2" ? 1 : 0);
  if (size.segments <= allowed) return "";
  return lang + ": " + std::to_string(size.segments) + " SMS segments (" + size.encoding + "), budget " +
         std::to_string(allowed) +
         (size.encoding == "UCS-2" ? " (" + std::to_string(t.sms_segments) + " + 1 for UCS-2)" : "");
}

std::string join_args(const std::set<std::string>& args) {
  std::string out;
  for (const auto& a : args) out += (out.empty() ? "{" : ", {") + a + "}";
  return out;
}

// The expected Plural-Forms lines (CLDR's integer plural categories) for the languages this project
// ships; other languages are only required to have one.
std::string expected_plural_forms(const std::string& lang) {
  static const std::map<std::string, std::string> kForms = {
      {"ar",
       "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : "
       "5);"},
      {"fr", "nplurals=3; plural=(n==0 || n==1 ? 0 : n!=0 && n%1000000==0 ? 1 : 2);"},
      {"uk",
       "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || n%100>14) ? 1 : "
       "2);"},
  };
  auto it = kForms.find(lang);
  return it == kForms.end() ? "" : it->second;
}

std::string without_spaces(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\t') out += c;
  }
  return out;
}

void check_templates(const Loaded& l, const Renderer& r, std::vector<ContentProblem>* out) {
  for (const auto& p : l.template_problems) {
    out->push_back({relative(l.dir, p.file), 0, p.key, Severity::kError, p.message});
  }
  const std::string source = r.policy().source_language();
  for (const auto& [key, t] : l.templates.all()) {
    const std::string file = relative(l.dir, t.file);
    bool valid = true;
    if (!t.keywords) {
      std::vector<std::pair<std::string, const std::string*>> sources = {{key, &t.text}};
      for (const auto& [channel, text] : t.variants) sources.push_back({po_context(key, channel), &text});
      for (const auto& [context, text] : sources) {
        if (auto s = check_message_syntax(*text); !s) {
          out->push_back({file, 0, context, Severity::kError, s.error().message});
          valid = false;
        }
      }
    }
    if (!t.reviewed && !t.source.empty()) {
      out->push_back({file, 0, key, Severity::kWarning, "facts not yet reviewed (source: " + t.source + ")"});
    }
    if (valid && t.sms_segments > 0) {
      if (std::string over = over_budget(r, t, source); !over.empty()) {
        out->push_back({file, 0, key, Severity::kError, over});
      }
    }
  }
}

void check_po(const Loaded& l, const PoCatalog& po, const Renderer& r, std::vector<ContentProblem>* out) {
  const std::string file = relative(l.dir, po.path());
  const std::string lang = po.language();
  if (po.header_language().empty()) {
    out->push_back({file, 0, "", Severity::kWarning, "the header has no Language field"});
  } else if (normalize_language(po.header_language()) != lang) {
    out->push_back({file, 0, "", Severity::kWarning,
                    "the header says Language " + po.header_language() + " but the file is for " + lang});
  }
  const std::string expected = expected_plural_forms(lang);
  if (po.plural_forms().empty()) {
    out->push_back({file, 0, "", Severity::kWarning, "the header has no Plural-Forms field"});
  } else if (!expected.empty() && without_spaces(po.plural_forms()) != without_spaces(expected)) {
    out->push_back({file, 0, "", Severity::kWarning, "Plural-Forms should be: " + expected});
  }

  std::map<std::string, const Unit*> by_context;
  const std::vector<Unit> units = units_of(l.templates);
  for (const Unit& u : units) by_context[u.context()] = &u;

  for (const PoEntry& e : po.entries()) {
    auto problem = [&](Severity s, const std::string& m) { out->push_back({file, e.line, e.msgctxt, s, m}); };
    if (e.msgctxt.empty()) {
      problem(Severity::kError, "entry without msgctxt (the msgctxt names the template key)");
      continue;
    }
    auto it = by_context.find(e.msgctxt);
    if (it == by_context.end()) {
      problem(Severity::kError, "msgctxt " + e.msgctxt + " has no template");
      continue;
    }
    if (e.plural) {
      problem(Severity::kError, "msgid_plural is not used: write plural forms inside the ICU message");
      continue;
    }
    const Unit& u = *it->second;
    if (e.msgid != u.source()) {
      problem(Severity::kWarning, "msgid differs from the template's text; run gateway content extract");
    }
    if (e.msgstr.empty() || u.t->keywords) continue;
    if (auto s = check_message_syntax(e.msgstr); !s) {
      problem(Severity::kError, lang + ": " + s.error().message);
      continue;
    }
    const std::set<std::string> want = message_arguments(u.source());
    const std::set<std::string> got = message_arguments(e.msgstr);
    std::set<std::string> dropped, invented;
    for (const auto& a : want) {
      if (!got.count(a)) dropped.insert(a);
    }
    for (const auto& a : got) {
      if (!want.count(a)) invented.insert(a);
    }
    if (!dropped.empty()) problem(Severity::kError, lang + ": the translation drops " + join_args(dropped));
    if (!invented.empty())
      problem(Severity::kError, lang + ": the translation invents " + join_args(invented));
  }

  // Budgets, for the templates this language translates.
  for (const auto& [key, t] : l.templates.all()) {
    if (t.sms_segments <= 0) continue;
    if (std::string over = over_budget(r, t, lang); !over.empty()) {
      const PoEntry* e = po.find(po_context(key, t.variants.count("sms") ? "sms" : ""));
      out->push_back({file, e ? e->line : 0, key, Severity::kError, over});
    }
  }
}

LanguageStats stats_for(const Loaded& l, const Renderer& r, const std::string& lang, const PoCatalog* po) {
  LanguageStats s;
  s.language = lang;
  for (const Unit& u : units_of(l.templates)) {
    ++s.total;
    const PoEntry* e = po ? po->find(u.context()) : nullptr;
    if (!po || (e && !e->msgstr.empty() && !e->fuzzy))
      ++s.translated;
    else if (e && !e->msgstr.empty())
      ++s.fuzzy;
  }
  s.untranslated = s.total - s.translated - s.fuzzy;
  for (const auto& [key, t] : l.templates.all())
    s.max_sms_segments = std::max(s.max_sms_segments, sms_segments_in(r, t, lang));
  return s;
}

std::vector<LanguageStats> stats(const Loaded& l, const Renderer& r) {
  std::vector<LanguageStats> out;
  out.push_back(stats_for(l, r, r.policy().source_language(), nullptr));
  for (const auto& [lang, po] : l.translations) {
    if (lang != r.policy().source_language()) out.push_back(stats_for(l, r, lang, &po));
  }
  return out;
}

}  // namespace

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "info";
  }
  return "error";
}

std::string ContentProblem::to_string() const {
  std::string where = file;
  if (line > 0)
    where += ":" + std::to_string(line);
  else if (!location.empty())
    where += ":" + location;
  return where + ": " + message;
}

bool has_errors(const std::vector<ContentProblem>& problems) {
  for (const auto& p : problems) {
    if (p.severity == Severity::kError) return true;
  }
  return false;
}

// Lock-screen discretion (discretion.h): every message text and variant, in the
// source language and in each translation, as written and as rendered with
// sample values (a select's "other" branch), against the English sensitive
// words and the language's own. Keyword lists and the operators' notes (note.*,
// never sent) are not messages.
void check_discretion(const Loaded& l, std::vector<ContentProblem>* out) {
  const Template* list = l.templates.find(kSensitiveWordsTemplate);
  if (!list) return;
  const std::vector<std::string> english = TemplateCatalog::split_keywords(list->text);
  auto texts_of = [](const std::string& pattern, const std::string& lang) {
    std::vector<std::string> texts = {pattern};
    if (auto r = format_message(pattern, lang, sample_arguments(pattern))) texts.push_back(*r);
    return texts;
  };
  auto check = [&](const std::string& file, int line, const std::string& context, const std::string& lang,
                   const std::string& pattern, const std::vector<std::string>& words) {
    for (const std::string& text : texts_of(pattern, lang)) {
      if (auto w = sensitive_word_in(text, words)) {
        out->push_back({file, line, context, Severity::kError,
                        lang + ": \"" + *w + "\" in the first " + std::to_string(kLockScreenChars) +
                            " characters (they show on a locked screen)"});
        return;
      }
    }
  };
  for (const auto& [key, t] : l.templates.all()) {
    if (t.keywords || key.rfind("note.", 0) == 0) continue;
    const std::string file = relative(l.dir, t.file);
    check(file, 0, key, "en", t.text, english);
    for (const auto& [channel, text] : t.variants)
      check(file, 0, po_context(key, channel), "en", text, english);
  }
  for (const auto& [lang, po] : l.translations) {
    std::vector<std::string> words = english;
    if (const PoEntry* e = po.find(kSensitiveWordsTemplate)) {
      for (std::string& w : TemplateCatalog::split_keywords(e->msgstr)) words.push_back(std::move(w));
    }
    const std::string file = relative(l.dir, po.path());
    for (const PoEntry& e : po.entries()) {
      if (e.msgstr.empty() || e.msgctxt.rfind("note.", 0) == 0) continue;
      const std::string key = e.msgctxt.substr(0, e.msgctxt.find('#'));
      const Template* t = l.templates.find(key);
      if (!t || t->keywords) continue;
      check(file, e.line, e.msgctxt, lang, e.msgstr, words);
    }
  }
}

std::vector<ContentProblem> check_content(const std::string& dir, const LanguagePolicy& policy) {
  std::vector<ContentProblem> out;
  const Loaded l = load(dir);
  const Renderer r = renderer_of(l, policy);
  check_templates(l, r, &out);
  for (const auto& [path, problems] : l.po_problems) {
    for (const auto& p : problems) {
      out.push_back({relative(dir, p.file.empty() ? path : p.file), static_cast<int>(p.line), "",
                     p.error ? Severity::kError : Severity::kWarning, p.message});
    }
  }
  for (const auto& [lang, po] : l.translations) check_po(l, po, r, &out);
  check_discretion(l, &out);
  for (const LanguageStats& s : stats(l, r)) {
    if (s.language == policy.source_language()) continue;
    const std::string file = relative(dir, l.translations.at(s.language).path());
    out.push_back({file, 0, "", (s.fuzzy || s.untranslated) ? Severity::kWarning : Severity::kInfo,
                   s.language + ": " + std::to_string(s.translated) + " translated, " +
                       std::to_string(s.fuzzy) + " fuzzy, " + std::to_string(s.untranslated) +
                       " untranslated"});
  }
  return out;
}

std::vector<LanguageStats> content_stats(const std::string& dir, const LanguagePolicy& policy) {
  const Loaded l = load(dir);
  return stats(l, renderer_of(l, policy));
}

}  // namespace gw
