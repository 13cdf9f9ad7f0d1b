// After a burst of inbound messages: whether every one a gateway acknowledged
// is stored and answered, read through the store with the gateway's keys.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/store/store.h"

namespace gw::testing {

struct AnswerCount {
  int replies = 0;     // outbound messages in the senders' conversations
  int not_sent = 0;    // of those, ones whose status is not "sent"
  int unanswered = 0;  // acknowledged messages not stored, or not followed by a reply
  int stray = 0;       // senders with no contact although a message of theirs was acknowledged
};

// `acknowledged`: sender address → the MessageSids answered 2xx, on `channel`.
inline AnswerCount count_answers(Store& store, const std::string& channel,
                                 const std::map<std::string, std::vector<std::string>>& acknowledged,
                                 Clock& clock) {
  AnswerCount out;
  for (const auto& [from, sids] : acknowledged) {
    auto contact = store.find_contact(channel, from);
    if (!contact || !contact->has_value()) {
      if (!sids.empty()) ++out.stray;
      out.unanswered += static_cast<int>(sids.size());
      continue;
    }
    auto conv = store.open_or_get_conversation((*contact)->id, channel, clock.now());
    if (!conv) {
      out.unanswered += static_cast<int>(sids.size());
      continue;
    }
    auto messages = store.list_messages(conv->id);
    if (!messages) {
      out.unanswered += static_cast<int>(sids.size());
      continue;
    }
    std::map<std::string, size_t> at;  // MessageSid → its place in the conversation
    for (size_t i = 0; i < messages->size(); ++i) {
      const Message& m = (*messages)[i];
      if (m.direction == "in" && m.provider_id) at[*m.provider_id] = i;
      if (m.direction == "out") {
        ++out.replies;
        if (m.status != "sent") ++out.not_sent;
      }
    }
    for (const std::string& sid : sids) {
      auto it = at.find(sid);
      // Stored, and the next message of the conversation is a reply to it.
      if (it == at.end() || it->second + 1 >= messages->size() ||
          (*messages)[it->second + 1].direction != "out") {
        ++out.unanswered;
      }
    }
  }
  return out;
}

}  // namespace gw::testing
