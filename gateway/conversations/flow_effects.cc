#include "gateway/conversations/flow_effects.h"

#include <limits>

#include "gateway/helpdesk/waiting_notice.h"

namespace gw {

bool has_handover(const std::vector<Effect>& effects) {
  for (const Effect& e : effects) {
    if (std::holds_alternative<effect::Handover>(e)) return true;
  }
  return false;
}

EffectOutcome apply_effects(const std::vector<Effect>& effects, const ReplyComposer& composer,
                            Contact& contact, const EffectContext& context) {
  EffectOutcome out;
  for (const Effect& e : effects) {
    const std::string lang = composer.answer_language(contact.language, context.lang_hint);
    if (const auto* say = std::get_if<effect::Say>(&e)) {
      out.replies.push_back(
          composer.compose(say->template_key, say->vars, say->choices, lang, context.channel));
    } else if (const auto* set = std::get_if<effect::SetLanguage>(&e)) {
      contact.language = set->lang;
      out.events.push_back({{"event", "language"}, {"language", set->lang}});
    } else if (const auto* field = std::get_if<effect::SetField>(&e)) {
      if (field->name == "country") contact.country = field->value;
      if (field->name == "consent" && (field->value == "given" || field->value == "declined")) {
        contact.consent = field->value;
      }
      out.fields.emplace_back(field->name, field->value);
    } else if (const auto* h = std::get_if<effect::Handover>(&e)) {
      Handover ho;
      ho.contact_id = contact.id;
      ho.queue = h->queue;
      ho.priority = h->priority.empty() ? "normal" : h->priority;
      ho.language = contact.language;
      ho.reason = h->note;  // a template key: the operator reads it in their language
      ho.state = "waiting";
      ho.created_at = context.now;
      if (!contact.opted_out) {
        // Not created yet: it comes after every open handover created at the same time.
        Handover placed = ho;
        placed.id = std::numeric_limits<int64_t>::max();
        static const HelpdeskConfig kAlwaysOpen;
        const NoticeContext notice_context{contact.country.empty() ? context.number_country : contact.country,
                                           h->unclear};
        const Notice notice = waiting_notice(context.helpdesk ? *context.helpdesk : kAlwaysOpen, placed,
                                             context.open_handovers, context.now, notice_context);
        out.replies.push_back(composer.compose(notice.template_key, lang, context.channel, notice.vars));
      }
      out.events.push_back({{"event", "handover"}, {"queue", h->queue}, {"priority", h->priority}});
      out.handover = std::move(ho);
    } else if (std::get_if<effect::Erase>(&e)) {
      out.erase = true;
      out.events.push_back({{"event", "erasure"}});
    } else if (const auto* end = std::get_if<effect::End>(&e)) {
      out.events.push_back({{"event", "end"}, {"reason", end->reason}});
    } else if (const auto* stat = std::get_if<effect::Stat>(&e)) {
      out.stats.push_back(StatTag{stat->metric, stat->value});
    } else if (const auto* err = std::get_if<effect::Error>(&e)) {
      out.errors.push_back(err->message);
      out.events.push_back({{"event", "error"}, {"message", err->message}});
    }
  }
  return out;
}

}  // namespace gw
