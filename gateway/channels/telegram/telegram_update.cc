#include "gateway/channels/telegram/telegram_update.h"

#include <unicode/utf8.h>

#include <nlohmann/json.hpp>

namespace gw {

using nlohmann::json;

Result<std::optional<InboundMessage>> parse_telegram_update(std::string_view body,
                                                            const std::string& channel_id) {
  json u;
  try {
    u = json::parse(body);
  } catch (const json::exception&) {
    return Error::invalid("the body is not JSON");
  }
  if (!u.is_object() || !u.contains("update_id") || !u["update_id"].is_number_integer()) {
    return Error::invalid("the body is not a Telegram update (no integer update_id)");
  }
  std::optional<InboundMessage> none;
  auto msg = u.find("message");
  if (msg == u.end() || !msg->is_object()) return none;
  auto chat = msg->find("chat");
  if (chat == msg->end() || !chat->is_object() || !chat->contains("id") ||
      !(*chat)["id"].is_number_integer()) {
    return Error::invalid("message.chat.id is missing");
  }
  // Read by type, never with json::value(), which throws on a value of another type.
  const auto string_at = [](const json& obj, const char* key) -> std::string {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (string_at(*chat, "type") != "private") return none;

  InboundMessage m;
  m.channel_id = channel_id;
  m.kind = ChannelKind::kTelegram;
  m.provider_id = std::to_string(u["update_id"].get<int64_t>());
  m.from = std::to_string((*chat)["id"].get<int64_t>());
  if (auto t = msg->find("text"); t != msg->end() && t->is_string()) {
    m.body = t->get<std::string>();
  } else if (auto c = msg->find("caption"); c != msg->end() && c->is_string()) {
    m.body = c->get<std::string>();
  }
  if (auto from = msg->find("from"); from != msg->end() && from->is_object()) {
    m.profile_name = string_at(*from, "first_name");
  }
  return std::optional<InboundMessage>(std::move(m));
}

std::vector<std::string> split_telegram_text(std::string_view text, size_t max_units) {
  std::vector<std::string> parts;
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  const int32_t len = static_cast<int32_t>(text.size());
  size_t start = 0;
  while (start < text.size()) {
    // Walk forward until the part would exceed max_units, remembering good cut points.
    size_t units = 0, hard = text.size(), para = 0, line = 0, space = 0;
    int32_t i = static_cast<int32_t>(start);
    while (i < len) {
      const int32_t before = i;
      UChar32 c;
      U8_NEXT(s, i, len, c);
      const size_t w = (c > 0xFFFF) ? 2 : 1;
      if (units + w > max_units) {
        hard = static_cast<size_t>(before);
        break;
      }
      units += w;
      if (c == '\n' && before > 0 && text[static_cast<size_t>(before) - 1] == '\n')
        para = static_cast<size_t>(i);
      else if (c == '\n')
        line = static_cast<size_t>(i);
      else if (c == ' ')
        space = static_cast<size_t>(i);
    }
    if (hard == start) {
      // Not even one character fits (a surrogate pair with max_units 1): it
      // becomes a part of its own rather than nothing being cut at all.
      int32_t next = static_cast<int32_t>(start);
      U8_FWD_1(s, next, len);
      hard = static_cast<size_t>(next);
    }
    size_t cut = hard;
    if (hard < text.size()) {
      // Prefer a natural break in the last quarter of the part.
      const size_t floor = start + (hard - start) * 3 / 4;
      for (size_t candidate : {para, line, space}) {
        if (candidate > floor) {
          cut = candidate;
          break;
        }
      }
    }
    std::string part(text.substr(start, cut - start));
    while (!part.empty() && (part.back() == '\n' || part.back() == ' ')) part.pop_back();
    if (!part.empty()) parts.push_back(std::move(part));
    start = cut;
  }
  return parts;
}

}  // namespace gw
