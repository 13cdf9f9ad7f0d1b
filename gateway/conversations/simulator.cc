#include "gateway/conversations/simulator.h"

#include "gateway/content/languages.h"
#include "gateway/content/sms_encoding.h"
#include "gateway/helpdesk/waiting_notice.h"

namespace gw {

Result<std::unique_ptr<Simulator>> Simulator::open(const std::string& content_dir, SimulatorOptions options) {
  auto content = load_simulator_content(content_dir, options.serve_fuzzy);
  if (!content) return content.error();
  return std::make_unique<Simulator>(std::move(*content), std::move(options));
}

Simulator::Simulator(std::shared_ptr<const SimulatorContent> content, SimulatorOptions options)
    : content_(std::move(content)), engine_(content_->lexicon), options_(std::move(options)) {
  contact_.language = options_.language;
  contact_.channel = options_.channel;
  if (!options_.from.empty()) contact_.country = country_of_number(options_.from);
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
  apply(r.effects, turn);
  return turn;
}

SimulatedReply Simulator::render_say(const effect::Say& say) {
  const std::string lang = !contact_.language.empty() ? contact_.language
                           : !lang_hint_.empty()        ? lang_hint_
                                                        : content_->renderer.policy().source_language();
  SimulatedReply reply;
  reply.key = say.template_key;
  auto main = content_->renderer.render(say.template_key, lang, options_.channel, say.vars);
  if (main) {
    reply.text = main->text;
    reply.language = main->language;
  } else {
    reply.text = say.template_key;  // never an empty message
    reply.language = lang;
  }
  for (size_t i = 0; i < say.choices.size(); ++i) {
    auto label = content_->renderer.render(say.choices[i], lang, options_.channel);
    reply.text += '\n';
    reply.text += std::to_string(i + 1);
    reply.text += ". ";
    reply.text += label ? label->text : say.choices[i];
  }
  SegmentCount sc = count_segments(options_.channel == "sms" ? smart_encode(reply.text) : reply.text);
  reply.encoding = sms_encoding_name(sc.encoding);
  reply.segments = sc.segments;
  return reply;
}

void Simulator::apply(const std::vector<Effect>& effects, SimulatedTurn& turn) {
  for (const Effect& e : effects) {
    if (const auto* say = std::get_if<effect::Say>(&e)) {
      turn.replies.push_back(render_say(*say));
    } else if (const auto* lang = std::get_if<effect::SetLanguage>(&e)) {
      contact_.language = lang->lang;
      turn.events.push_back({{"event", "language"}, {"language", lang->lang}});
    } else if (const auto* field = std::get_if<effect::SetField>(&e)) {
      contact_.fields[field->name] = field->value;
      if (field->name == "country") contact_.country = field->value;
    } else if (const auto* h = std::get_if<effect::Handover>(&e)) {
      // What the gateway tells the person at a handover (queues always open here).
      effect::Say notice{h->unclear ? kQueuedUnclearTemplate : kQueuedTemplate, {{"position", 1}}, {}};
      turn.replies.push_back(render_say(notice));
      turn.events.push_back({{"event", "handover"}, {"queue", h->queue}, {"priority", h->priority}});
    } else if (std::get_if<effect::Erase>(&e)) {
      contact_.fields.clear();
      turn.events.push_back({{"event", "erasure"}});
    } else if (const auto* end = std::get_if<effect::End>(&e)) {
      turn.events.push_back({{"event", "end"}, {"reason", end->reason}});
    } else if (const auto* err = std::get_if<effect::Error>(&e)) {
      turn.events.push_back({{"event", "error"}, {"message", err->message}});
    }
  }
}

}  // namespace gw
