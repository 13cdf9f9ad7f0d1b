#include "gateway/content/message_check.h"

#include <map>

#include "gateway/content/discretion.h"
#include "gateway/content/icu_message.h"
#include "gateway/content/languages.h"
#include "gateway/content/sms_encoding.h"

namespace gw {
namespace {

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

MessageUnit find_unit(const TemplateCatalog& templates, const std::string& msgctxt) {
  const size_t hash = msgctxt.find('#');
  const Template* t = templates.find(msgctxt.substr(0, hash));
  if (!t) return {};
  if (hash == std::string::npos) return {t, "", &t->text};
  const std::string channel = msgctxt.substr(hash + 1);
  auto it = t->variants.find(channel);
  if (it == t->variants.end()) return {};
  return {t, channel, &it->second};
}

MessageProblem unknown_context_problem(const std::string& msgctxt) {
  return {Severity::kError, problem_code::kUnknownKey, "msgctxt " + msgctxt + " has no template"};
}

PlaceholderDiff compare_placeholders(const std::string& source, const std::string& text) {
  PlaceholderDiff d;
  d.source = message_arguments(source);
  d.text = message_arguments(text);
  for (const auto& a : d.source) {
    if (!d.text.count(a)) d.missing.insert(a);
  }
  for (const auto& a : d.text) {
    if (!d.source.count(a)) d.extra.insert(a);
  }
  return d;
}

std::string join_placeholders(const std::set<std::string>& names) {
  std::string out;
  for (const auto& a : names) out += (out.empty() ? "{" : ", {") + a + "}";
  return out;
}

std::vector<MessageProblem> placeholder_problems(const std::string& lang, const PlaceholderDiff& diff) {
  std::vector<MessageProblem> out;
  if (!diff.missing.empty()) {
    out.push_back({Severity::kError, problem_code::kPlaceholderMissing,
                   lang + ": the translation drops " + join_placeholders(diff.missing)});
  }
  if (!diff.extra.empty()) {
    out.push_back({Severity::kError, problem_code::kPlaceholderExtra,
                   lang + ": the translation invents " + join_placeholders(diff.extra)});
  }
  return out;
}

std::vector<MessageProblem> check_translation_entry(const std::string& lang, const TemplateCatalog& templates,
                                                    const PoEntry& e) {
  std::vector<MessageProblem> out;
  if (e.msgctxt.empty()) {
    out.push_back({Severity::kError, problem_code::kNoContext,
                   "entry without msgctxt (the msgctxt names the template key)"});
    return out;
  }
  const MessageUnit unit = find_unit(templates, e.msgctxt);
  if (!unit.t) {
    out.push_back(unknown_context_problem(e.msgctxt));
    return out;
  }
  if (e.plural) {
    out.push_back({Severity::kError, problem_code::kPluralEntry,
                   "msgid_plural is not used: write plural forms inside the ICU message"});
    return out;
  }
  if (e.msgid != *unit.source) {
    out.push_back({Severity::kWarning, problem_code::kStaleMsgid,
                   "msgid differs from the template's text; run gateway content extract"});
  }
  if (e.msgstr.empty() || unit.t->keywords) return out;
  if (auto s = check_message_syntax(e.msgstr); !s) {
    out.push_back({Severity::kError, problem_code::kIcuSyntax, lang + ": " + s.error().message});
    return out;
  }
  for (auto& p : placeholder_problems(lang, compare_placeholders(*unit.source, e.msgstr)))
    out.push_back(std::move(p));
  return out;
}

std::vector<MessageProblem> check_po_header(const std::string& lang, const std::string& header_language,
                                            const std::string& plural_forms) {
  std::vector<MessageProblem> out;
  if (header_language.empty()) {
    out.push_back({Severity::kWarning, problem_code::kHeaderLanguage, "the header has no Language field"});
  } else if (normalize_language(header_language) != lang) {
    out.push_back({Severity::kWarning, problem_code::kHeaderLanguage,
                   "the header says Language " + header_language + " but the file is for " + lang});
  }
  const std::string expected = expected_plural_forms(lang);
  if (plural_forms.empty()) {
    out.push_back(
        {Severity::kWarning, problem_code::kHeaderPluralForms, "the header has no Plural-Forms field"});
  } else if (!expected.empty() && without_spaces(plural_forms) != without_spaces(expected)) {
    out.push_back(
        {Severity::kWarning, problem_code::kHeaderPluralForms, "Plural-Forms should be: " + expected});
  }
  return out;
}

SmsSize sms_size_in(const Renderer& r, const Template& t, const std::string& lang) {
  if (t.keywords) return {};
  const std::string& pattern = t.variants.count("sms") ? t.variants.at("sms") : t.text;
  auto rendered = r.render(t.key, lang, "sms", sample_arguments(pattern));
  if (!rendered || rendered->language != lang) return {};
  return {rendered->encoding, rendered->segments};
}

SmsSize sms_size_of(const std::string& rendered) {
  const SegmentCount count = count_segments(rendered);
  return {sms_encoding_name(count.encoding), count.segments};
}

int allowed_segments(int sms_segments, const std::string& encoding) {
  return sms_segments + (encoding == "UCS-2" ? 1 : 0);
}

bool over_budget(int sms_segments, const SmsSize& size) {
  return sms_segments > 0 && size.segments > allowed_segments(sms_segments, size.encoding);
}

std::optional<MessageProblem> budget_problem(const std::string& lang, int sms_segments, const SmsSize& size) {
  if (!over_budget(sms_segments, size)) return std::nullopt;
  const bool ucs2 = size.encoding == "UCS-2";
  return MessageProblem{Severity::kError, problem_code::kOverBudget,
                        lang + ": " + std::to_string(size.segments) + " SMS segments (" + size.encoding +
                            "), budget " + std::to_string(allowed_segments(sms_segments, size.encoding)) +
                            (ucs2 ? " (" + std::to_string(sms_segments) + " + 1 for UCS-2)" : "")};
}

bool is_lock_screen_message(const Template& t) {
  return !t.keywords && t.key.rfind("note.", 0) != 0;
}

std::vector<std::string> sensitive_words(const TemplateCatalog& templates, const std::string& language_list) {
  std::vector<std::string> words;
  if (const Template* list = templates.find(kSensitiveWordsTemplate))
    words = TemplateCatalog::split_keywords(list->text);
  for (std::string& w : TemplateCatalog::split_keywords(language_list)) words.push_back(std::move(w));
  return words;
}

std::optional<std::string> lock_screen_word(const std::string& pattern, const std::string& lang,
                                            const std::vector<std::string>& words) {
  if (auto w = sensitive_word_in(pattern, words)) return w;
  if (auto r = format_message(pattern, lang, sample_arguments(pattern))) return sensitive_word_in(*r, words);
  return std::nullopt;
}

MessageProblem lock_screen_problem(const std::string& lang, const std::string& word) {
  return {Severity::kError, problem_code::kLockScreenWord,
          lang + ": \"" + word + "\" in the first " + std::to_string(kLockScreenChars) +
              " characters (they show on a locked screen)"};
}

std::vector<PoFileProblem> po_budget_problems(const Renderer& r, const PoCatalog& po,
                                              const std::string& lang) {
  std::vector<PoFileProblem> out;
  for (const auto& [key, t] : r.content().templates.all()) {
    if (t.sms_segments <= 0) continue;
    if (auto over = budget_problem(lang, t.sms_segments, sms_size_in(r, t, lang))) {
      const PoEntry* e = po.find(po_context(key, t.variants.count("sms") ? "sms" : ""));
      out.push_back({key, e ? e->line : 0, std::move(*over)});
    }
  }
  return out;
}

std::vector<PoFileProblem> po_lock_screen_problems(const TemplateCatalog& templates, const PoCatalog& po,
                                                   const std::string& lang) {
  std::vector<PoFileProblem> out;
  if (!templates.find(kSensitiveWordsTemplate)) return out;
  const PoEntry* own = po.find(kSensitiveWordsTemplate);
  const std::vector<std::string> words = sensitive_words(templates, own ? own->msgstr : "");
  for (const PoEntry& e : po.entries()) {
    if (e.msgstr.empty()) continue;
    const Template* t = templates.find(e.msgctxt.substr(0, e.msgctxt.find('#')));
    if (!t || !is_lock_screen_message(*t)) continue;
    if (auto w = lock_screen_word(e.msgstr, lang, words))
      out.push_back({e.msgctxt, e.line, lock_screen_problem(lang, *w)});
  }
  return out;
}

}  // namespace gw
