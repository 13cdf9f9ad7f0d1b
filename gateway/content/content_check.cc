#include "gateway/content/content_check.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "gateway/content/content_set.h"
#include "gateway/content/discretion.h"
#include "gateway/content/icu_message.h"
#include "gateway/content/message_check.h"
#include "gateway/content/renderer.h"

namespace gw {
namespace fs = std::filesystem;
namespace {

// One translatable string: a template's main text or one of its variants.
struct Unit {
  const Template* t;
  std::string channel;  // empty for the main text
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

int sms_segments_in(const Renderer& r, const Template& t, const std::string& lang) {
  return sms_size_in(r, t, lang).segments;
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
      if (auto over = budget_problem(source, t.sms_segments, sms_size_in(r, t, source))) {
        out->push_back({file, 0, key, over->severity, over->message});
      }
    }
  }
}

void check_po(const Loaded& l, const PoCatalog& po, const Renderer& r, std::vector<ContentProblem>* out) {
  const std::string file = relative(l.dir, po.path());
  const std::string lang = po.language();
  for (const MessageProblem& p : check_po_header(lang, po.header_language(), po.plural_forms()))
    out->push_back({file, 0, "", p.severity, p.message});

  for (const PoEntry& e : po.entries()) {
    for (const MessageProblem& p : check_translation_entry(lang, l.templates, e))
      out->push_back({file, e.line, e.msgctxt, p.severity, p.message});
  }

  // Budgets, for the templates this language translates.
  for (const PoFileProblem& f : po_budget_problems(r, po, lang))
    out->push_back({file, f.line, f.location, f.problem.severity, f.problem.message});
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
  if (!l.templates.find(kSensitiveWordsTemplate)) return;
  const std::vector<std::string> english = sensitive_words(l.templates);
  auto check = [&](const std::string& file, int line, const std::string& context, const std::string& lang,
                   const std::string& pattern, const std::vector<std::string>& words) {
    if (auto w = lock_screen_word(pattern, lang, words)) {
      const MessageProblem p = lock_screen_problem(lang, *w);
      out->push_back({file, line, context, p.severity, p.message});
    }
  };
  for (const auto& [key, t] : l.templates.all()) {
    if (!is_lock_screen_message(t)) continue;
    const std::string file = relative(l.dir, t.file);
    check(file, 0, key, "en", t.text, english);
    for (const auto& [channel, text] : t.variants)
      check(file, 0, po_context(key, channel), "en", text, english);
  }
  for (const auto& [lang, po] : l.translations) {
    const std::string file = relative(l.dir, po.path());
    for (const PoFileProblem& f : po_lock_screen_problems(l.templates, po, lang))
      out->push_back({file, f.line, f.location, f.problem.severity, f.problem.message});
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
