#include "gateway/content/text_check.h"

#include <unicode/locid.h>
#include <unicode/plurrule.h>
#include <unicode/strenum.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "gateway/content/icu_message.h"
#include "gateway/content/sms_encoding.h"

namespace gw {
namespace {

const std::vector<std::string>& preview_channels() {
  static const std::vector<std::string> kChannels = {"sms", "whatsapp", "telegram"};
  return kChannels;
}

struct PluralSample {
  std::string category;
  double number = 0;
};

// One number per plural category of `lang` (in CLDR's order): ICU's first
// sample (integers come first), passing over 0 for a category other than "zero"
// when ICU gives more ("0 days" reads oddly as the example of English "other").
std::vector<PluralSample> plural_samples(const std::string& lang) {
  std::vector<PluralSample> out;
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::PluralRules> rules(
      icu::PluralRules::forLocale(icu::Locale(icu_locale_name(lang).c_str()), status));
  if (U_FAILURE(status) || !rules) return out;
  for (const std::string& category : plural_categories(lang)) {
    double samples[8];
    const int32_t n = rules->getSamples(icu::UnicodeString::fromUTF8(category), samples, 8, status);
    if (U_FAILURE(status) || n <= 0) {
      status = U_ZERO_ERROR;
      continue;
    }
    PluralSample s;
    s.category = category;
    s.number = samples[0];
    if (s.number == 0 && s.category != "zero" && n > 1) s.number = samples[1];
    out.push_back(std::move(s));
  }
  return out;
}

nlohmann::json number_value(double n) {
  if (std::floor(n) == n && std::fabs(n) < 1e15) return static_cast<long long>(n);
  return n;
}

// The values the previews use (see the header), with `plural` for the plural arguments.
nlohmann::json preview_arguments(const std::map<std::string, ArgumentKind>& kinds, double plural) {
  nlohmann::json vars = nlohmann::json::object();
  for (const auto& [name, kind] : kinds) {
    switch (kind) {
      case ArgumentKind::kPlural:
        vars[name] = number_value(plural);
        break;
      case ArgumentKind::kNumber:
        vars[name] = 10;
        break;
      case ArgumentKind::kSelect:
        // ICU requires every select to have an "other" branch.
        vars[name] = "other";
        break;
      case ArgumentKind::kText:
        vars[name] = "{" + name + "}";
        break;
    }
  }
  return vars;
}

std::vector<std::string> as_list(const std::set<std::string>& s) {
  return {s.begin(), s.end()};
}

void add(TextReport* r, const MessageProblem& p) {
  r->problems.push_back({p.severity, p.code, p.message});
}

void check_placeholders(const TextCheckInput& in, const std::string& source, bool editing_source,
                        TextReport* r) {
  const PlaceholderDiff diff = compare_placeholders(source, in.text);
  r->source_arguments = as_list(diff.source);
  r->text_arguments = as_list(diff.text);
  r->missing_arguments = as_list(diff.missing);
  r->extra_arguments = as_list(diff.extra);
  if (!editing_source) {
    for (const MessageProblem& p : placeholder_problems(in.language, diff)) add(r, p);
    return;
  }
  // A new source may change its placeholders; each translation then reports the
  // difference until it is updated.
  if (!diff.missing.empty()) {
    r->problems.push_back({Severity::kInfo, problem_code::kPlaceholderMissing,
                           "the new text drops " + join_placeholders(diff.missing) +
                               " (translations that use it will be reported)"});
  }
  if (!diff.extra.empty()) {
    r->problems.push_back({Severity::kInfo, problem_code::kPlaceholderExtra,
                           "the new text adds " + join_placeholders(diff.extra) +
                               " (translations that lack it will be reported)"});
  }
}

// Measures the text as `gateway check` does: formatted with sample_arguments()
// (those of the source, then any the text adds), in the language edited.
void measure_sms(const TextCheckInput& in, const MessageUnit& unit, TextReport* r) {
  nlohmann::json vars = unit.source ? sample_arguments(*unit.source) : nlohmann::json::object();
  const nlohmann::json own = sample_arguments(in.text);
  for (auto it = own.begin(); it != own.end(); ++it) {
    if (!vars.contains(it.key())) vars[it.key()] = it.value();
  }
  auto rendered = format_message(in.text, in.language, vars);
  if (!rendered) return;
  const SegmentCount plain = count_segments(*rendered);
  const SegmentCount smart = count_segments(smart_encode(*rendered));
  r->sms_measured = true;
  r->encoding = sms_encoding_name(plain.encoding);
  r->segments = plain.segments;
  r->units = plain.units;
  r->characters = plain.characters;
  r->smart_encoding = sms_encoding_name(smart.encoding);
  r->smart_segments = smart.segments;
  if (!unit.t) return;
  r->budget = unit.t->sms_segments;
  r->allowed_segments = r->budget > 0 ? allowed_segments(r->budget, r->encoding) : 0;
  // An SMS sends the SMS variant when there is one, else the main text.
  r->budget_applies =
      r->budget > 0 && (unit.channel == "sms" || (unit.channel.empty() && !unit.t->variants.count("sms")));
  if (!r->budget_applies) return;
  const SmsSize size{r->encoding, r->segments};
  r->over_budget = over_budget(r->budget, size);
  if (auto p = budget_problem(in.language, r->budget, size)) add(r, *p);
}

void make_previews(const TextCheckInput& in, TextReport* r) {
  const std::map<std::string, ArgumentKind> kinds = message_argument_kinds(in.text);
  const bool plural = std::any_of(kinds.begin(), kinds.end(),
                                  [](const auto& k) { return k.second == ArgumentKind::kPlural; });
  std::vector<PluralSample> samples;
  if (plural) samples = plural_samples(in.language);
  if (samples.empty()) samples.push_back({"", 10});
  for (const std::string& channel : preview_channels()) {
    for (const PluralSample& s : samples) {
      TextPreview p;
      p.channel = channel;
      if (plural) {
        p.plural_category = s.category;
        p.number = s.number;
      }
      auto text = format_message(in.text, in.language, preview_arguments(kinds, s.number));
      if (text) p.text = std::move(*text);
      r->previews.push_back(std::move(p));
    }
  }
}

}  // namespace

int TextReport::errors() const {
  return static_cast<int>(std::count_if(problems.begin(), problems.end(),
                                        [](const TextProblem& p) { return p.severity == Severity::kError; }));
}

int TextReport::warnings() const {
  return static_cast<int>(std::count_if(problems.begin(), problems.end(), [](const TextProblem& p) {
    return p.severity == Severity::kWarning;
  }));
}

TextReport check_text(const TextCheckInput& in) {
  TextReport r;
  if (in.text.size() > kMaxCheckedTextBytes) {
    r.problems.push_back({Severity::kError, "too_long",
                          "the text is " + std::to_string(in.text.size()) + " bytes; at most " +
                              std::to_string(kMaxCheckedTextBytes) + " are checked"});
    return r;
  }
  r.checked = true;
  const bool editing_source = in.language == in.source_language;
  const MessageUnit unit = in.templates ? find_unit(*in.templates, in.context) : MessageUnit{};
  if (!unit.t) add(&r, unknown_context_problem(in.context));
  if (unit.t && unit.channel.empty()) {
    for (const auto& [channel, text] : unit.t->variants) r.variant_channels.push_back(channel);
  }
  if (unit.t && unit.t->keywords) {
    // A keyword list is not a message: `gateway check` checks neither its syntax nor its size.
    r.icu_ok = true;
    r.problems.push_back(
        {Severity::kInfo, "keywords",
         "a keyword list: " + std::to_string(TemplateCatalog::split_keywords(in.text).size()) +
             " keywords, separated by commas"});
    return r;
  }

  if (auto s = check_message_syntax(in.text); !s) {
    r.icu_error = s.error().message;
    r.icu_offset = message_syntax_offset(in.text);
    add(&r, {Severity::kError, problem_code::kIcuSyntax,
             editing_source ? s.error().message : in.language + ": " + s.error().message});
    return r;
  }
  r.icu_ok = true;
  if (unit.t) check_placeholders(in, *unit.source, editing_source, &r);
  measure_sms(in, unit, &r);
  if (!unit.t || is_lock_screen_message(*unit.t)) {
    r.sensitive_word = lock_screen_word(in.text, in.language, in.sensitive);
    if (r.sensitive_word) add(&r, lock_screen_problem(in.language, *r.sensitive_word));
  }
  make_previews(in, &r);
  return r;
}

nlohmann::json TextReport::to_json() const {
  nlohmann::json icu = {{"ok", icu_ok}};
  if (!icu_ok && !icu_error.empty()) icu["error"] = icu_error;
  if (icu_offset) icu["offset"] = *icu_offset;
  nlohmann::json sms = {{"measured", sms_measured}};
  if (sms_measured) {
    sms.update({{"encoding", encoding},
                {"segments", segments},
                {"units", units},
                {"characters", characters},
                {"smart_encoding", smart_encoding},
                {"smart_segments", smart_segments},
                {"budget", budget},
                {"allowed_segments", allowed_segments},
                {"budget_applies", budget_applies},
                {"over_budget", over_budget}});
  }
  nlohmann::json previews_json = nlohmann::json::array();
  for (const TextPreview& p : previews) {
    nlohmann::json j = {{"channel", p.channel}, {"text", p.text}};
    if (!p.plural_category.empty()) j["category"] = p.plural_category;
    if (p.number) j["number"] = number_value(*p.number);
    previews_json.push_back(std::move(j));
  }
  nlohmann::json problems_json = nlohmann::json::array();
  for (const TextProblem& p : problems) {
    problems_json.push_back(
        {{"severity", severity_name(p.severity)}, {"code", p.code}, {"message", p.message}});
  }
  return {{"checked", checked},
          {"icu", std::move(icu)},
          {"placeholders",
           {{"source", source_arguments},
            {"text", text_arguments},
            {"missing", missing_arguments},
            {"extra", extra_arguments}}},
          {"sms", std::move(sms)},
          {"discretion", {{"word", sensitive_word ? nlohmann::json(*sensitive_word) : nlohmann::json()}}},
          {"previews", std::move(previews_json)},
          {"variant_channels", variant_channels},
          {"errors", errors()},
          {"warnings", warnings()},
          {"problems", std::move(problems_json)}};
}

}  // namespace gw
