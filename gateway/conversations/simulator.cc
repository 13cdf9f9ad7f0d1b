#include "gateway/conversations/simulator.h"

#include "gateway/content/languages.h"
#include "gateway/content/sms_encoding.h"
#include "gateway/conversations/flow_effects.h"
#include "gateway/core/channel_kinds.h"

namespace gw {

Result<std::unique_ptr<Simulator>> Simulator::open(const std::string& content_dir, SimulatorOptions options) {
  auto content = load_simulator_content(content_dir, options.serve_fuzzy);
  if (!content) return content.error();
  return std::make_unique<Simulator>(std::move(*content), std::move(options));
}

Simulator::Simulator(std::shared_ptr<const SimulatorContent> content, SimulatorOptions options)
    : content_(std::move(content)),
      composer_(content_->renderer.content().templates, &content_->renderer),
      engine_(content_->lexicon),
      options_(std::move(options)) {
  contact_.language = options_.language;
  contact_.channel = options_.channel;
  if (!options_.from.empty()) contact_.country = country_of_number(options_.from);
  if (kind_has_phone_number(options_.channel)) number_country_ = contact_.country;
}

SimulatedTurn Simulator::send(const std::string& text, TimePoint now) {
  SimulatedTurn turn;
  if (first_) {
    // A first guess at the language, offered by the flow rather than assumed.
    contact_.language_guesses = content_->renderer.policy().guess_languages(options_.from, text);
    first_ = false;
  }
  // As Conversations does: a crisis word in any state, a distress word where a
  // numbered answer is expected, answered in the word's language while none is chosen.
  Input input{text};
  const KeywordHit hit = content_->keywords.hit(text);
  lang_hint_.clear();
  if (hit.keyword == Keyword::kCrisis) {
    input.crisis = true;
    lang_hint_ = hit.language;
  } else if (hit.keyword == Keyword::kNone) {
    input.distress = content_->keywords.contains_distress(text, &lang_hint_);
  }
  StepResult r = engine_.step(content_->flows, session_, contact_, input, now);
  session_ = std::move(r.session);
  apply(r.effects, now, turn);
  return turn;
}

void Simulator::apply(const std::vector<Effect>& effects, TimePoint now, SimulatedTurn& turn) {
  EffectContext context;
  context.channel = options_.channel;
  context.lang_hint = lang_hint_;
  context.number_country = number_country_;
  context.now = now;  // no helpdesk here: every queue open, nobody else waiting
  Contact person;
  person.language = contact_.language;
  person.country = contact_.country;
  const EffectOutcome outcome = apply_effects(effects, composer_, person, context);
  contact_.language = person.language;
  contact_.country = person.country;
  for (const auto& [name, value] : outcome.fields) contact_.fields[name] = value;
  if (outcome.erase) contact_.fields.clear();
  for (const ComposedText& composed : outcome.replies) {
    SimulatedReply reply;
    reply.text = composed.text;
    reply.key = composed.key;
    reply.language = composed.language;
    SegmentCount sc = count_segments(options_.channel == "sms" ? smart_encode(reply.text) : reply.text);
    reply.encoding = sms_encoding_name(sc.encoding);
    reply.segments = sc.segments;
    turn.replies.push_back(std::move(reply));
  }
  turn.events = outcome.events;
  turn.stats = outcome.stats;
}

}  // namespace gw
