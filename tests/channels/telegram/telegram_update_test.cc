#include "gateway/channels/telegram/telegram_update.h"

#include <catch2/catch.hpp>

TEST_CASE("a private text message becomes an inbound message keyed by update_id", "[telegram]") {
  auto r = gw::parse_telegram_update(R"({"update_id": 900001, "message": {"message_id": 5,
      "from": {"id": 4242, "is_bot": false, "first_name": "Olena"},
      "chat": {"id": 4242, "type": "private"}, "date": 1780000000, "text": "Привіт"}})",
                                     "tg");
  REQUIRE(r.ok());
  REQUIRE(r->has_value());
  const gw::InboundMessage& m = **r;
  CHECK(m.channel_id == "tg");
  CHECK(m.kind == gw::ChannelKind::kTelegram);
  CHECK(m.provider_id == "900001");
  CHECK(m.from == "4242");
  CHECK(m.body == "Привіт");
  CHECK(m.profile_name == "Olena");
}

TEST_CASE("a photo's caption is its text", "[telegram]") {
  auto r = gw::parse_telegram_update(R"({"update_id": 2, "message": {"chat": {"id": 7, "type": "private"},
      "photo": [{"file_id": "x"}], "caption": "my contract"}})",
                                     "tg");
  REQUIRE(r.ok());
  REQUIRE(r->has_value());
  CHECK((*r)->body == "my contract");
}

TEST_CASE("group messages, edits and other updates are acknowledged but not answered", "[telegram]") {
  for (const char* body :
       {R"({"update_id": 3, "message": {"chat": {"id": -100, "type": "group"}, "text": "hi"}})",
        R"({"update_id": 4, "edited_message": {"chat": {"id": 7, "type": "private"}, "text": "x"}})",
        R"({"update_id": 5, "my_chat_member": {}})"}) {
    auto r = gw::parse_telegram_update(body, "tg");
    INFO(body);
    REQUIRE(r.ok());
    CHECK_FALSE(r->has_value());
  }
}

TEST_CASE("bodies that are not updates are refused", "[telegram]") {
  CHECK_FALSE(gw::parse_telegram_update("not json", "tg").ok());
  CHECK_FALSE(gw::parse_telegram_update("[]", "tg").ok());
  CHECK_FALSE(gw::parse_telegram_update(R"({"update_id": "1"})", "tg").ok());
  CHECK_FALSE(gw::parse_telegram_update(R"({"update_id": 1, "message": {"text": "x"}})", "tg").ok());
}

TEST_CASE("long texts split at 4096 UTF-16 units, at a paragraph when one is near", "[telegram]") {
  std::string para1(3900, 'a');
  std::string text = para1 + "\n\n" + std::string(3000, 'b');
  auto parts = gw::split_telegram_text(text);
  REQUIRE(parts.size() == 2);
  CHECK(parts[0] == para1);
  CHECK(parts[1] == std::string(3000, 'b'));
  CHECK(gw::split_telegram_text("short") == std::vector<std::string>{"short"});
}

TEST_CASE("splitting never cuts a character and counts emoji as two units", "[telegram]") {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "🙂";  // 6000 units, no spaces
  auto parts = gw::split_telegram_text(text);
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].size() == 2048 * 4);  // 2048 emoji = 4096 units, 4 bytes each
  CHECK(parts[0] + parts[1] == text);
  std::string arabic;
  for (int i = 0; i < 5000; ++i) arabic += (i % 7 == 6) ? " " : "ع";
  for (const auto& p : gw::split_telegram_text(arabic)) {
    size_t units = 0;
    for (unsigned char c : p) units += (c & 0xC0) != 0x80;
    CHECK(units <= 4096);
  }
}

TEST_CASE("a chat type or first name that is not a string is read as absent, never thrown on", "[telegram]") {
  auto group = gw::parse_telegram_update(
      R"({"update_id": 6, "message": {"chat": {"id": 7, "type": 1}, "text": "x"}})", "tg");
  REQUIRE(group.ok());
  CHECK_FALSE(group->has_value());
  auto named = gw::parse_telegram_update(R"({"update_id": 7, "message": {"chat": {"id": 7, "type": "private"},
      "from": {"id": 7, "first_name": ["O"]}, "text": "x"}})",
                                         "tg");
  REQUIRE(named.ok());
  REQUIRE(named->has_value());
  CHECK((*named)->profile_name.empty());
  CHECK((*named)->body == "x");
}

TEST_CASE("a limit too small for one character still splits, a character a part", "[telegram]") {
  CHECK(gw::split_telegram_text("🙂🙂a", 1) == std::vector<std::string>{"🙂", "🙂", "a"});
  CHECK(gw::split_telegram_text("ab", 0) == std::vector<std::string>{"a", "b"});
}
