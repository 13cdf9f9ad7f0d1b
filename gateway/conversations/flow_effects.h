// FlowEffects: the one place where the effects of an engine step become what
// happens to the person — their contact's changes, the replies (composed by
// the ReplyComposer), a handover with the notice the helpdesk gives the person
// at once (queue position or out of hours, see waiting_notice.h), an erasure,
// the flow's faults. Pure: it reads no store and writes none. Conversations
// writes the outcome to the Store and the outbox; the Simulator shows it. So
// the simulator shows exactly what a person would get.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/config/queue_config.h"
#include "gateway/content/reply_composer.h"
#include "gateway/core/clock.h"
#include "gateway/engine/effect.h"
#include "gateway/engine/stat_tag.h"
#include "gateway/store/records.h"

namespace gw {

// What the effects are applied in view of.
struct EffectContext {
  std::string channel;    // "sms", "whatsapp", "telegram" or "web": what replies are rendered for
  std::string lang_hint;  // the language to answer in while the person has chosen none; "" = source
  // The country of the person's number ("" when unknown, or no number: Telegram,
  // web), for the handover notice when they have chosen no country.
  std::string number_country;
  const HelpdeskConfig* helpdesk = nullptr;  // queue hours; null: every queue is open
  // Every open handover, for the new handover's place in its queue. Needed only
  // when the effects hold a Handover (has_handover).
  std::vector<Handover> open_handovers;
  TimePoint now{};
};

struct EffectOutcome {
  std::vector<ComposedText> replies;  // to queue in this order; a handover's notice among them
  // The handover to create ("waiting", queue, priority, the person's language,
  // the reason key, created_at); conversation_id and contact_id are the caller's.
  std::optional<Handover> handover;
  bool erase = false;                                       // erase the person (after their replies left)
  std::vector<std::pair<std::string, std::string>> fields;  // every SetField, in order
  std::vector<std::string> errors;                          // the flow's faults (flows and nodes only)
  // Every Stat, in order: the tagged nodes the person reached, for the caller to
  // count (codes from the flows only). Not among `events`: the simulators stay quiet about them.
  std::vector<StatTag> stats;
  // What happened besides the replies, in order, as the simulator prints it:
  // {"event": "language"|"handover"|"erasure"|"end"|"error", ...}.
  std::vector<nlohmann::json> events;
};

// True when `effects` hold a Handover (then EffectContext::open_handovers is needed).
bool has_handover(const std::vector<Effect>& effects);

// Applies `effects` in order: SetLanguage and SetField (country, consent) change
// `contact`; each Say is composed in the language of the contact as it is at
// that point (answer_language(contact.language, lang_hint)); a Handover adds
// the handover and, unless the contact opted out, its notice.
EffectOutcome apply_effects(const std::vector<Effect>& effects, const ReplyComposer& composer,
                            Contact& contact, const EffectContext& context);

}  // namespace gw
