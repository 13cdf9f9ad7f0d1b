// Routing as pure functions: the order of the queue, languages, who may open
// what, and automatic assignment within each operator's capacity.
#include "gateway/helpdesk/routing.h"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;

namespace {

gw::TimePoint t0 = gw::from_unix_ms(1'780'000'000'000);

gw::Handover waiting(int64_t id, const std::string& queue, const std::string& priority, int minutes_ago,
                     const std::string& language = "") {
  gw::Handover h;
  h.id = id;
  h.conversation_id = id * 10;
  h.queue = queue;
  h.priority = priority;
  h.language = language;
  h.created_at = t0 - std::chrono::minutes(minutes_ago);
  return h;
}

gw::OperatorView op(int64_t id, std::vector<std::string> queues, std::vector<std::string> langs = {},
                    std::string role = "operator", int capacity = 1) {
  gw::OperatorView o;
  o.id = id;
  o.queues = std::move(queues);
  o.languages = std::move(langs);
  o.role = std::move(role);
  o.capacity = capacity;
  return o;
}

}  // namespace

TEST_CASE("the next conversation is the highest priority, then the one waiting longest",
          "[helpdesk][routing]") {
  std::vector<gw::Handover> open = {waiting(1, "general", "normal", 50), waiting(2, "general", "high", 5),
                                    waiting(3, "general", "urgent", 1), waiting(4, "general", "urgent", 30)};
  auto o = op(7, {"general"});
  REQUIRE(gw::next_for(o, open)->id == 4);
  open.erase(open.begin() + 3);
  CHECK(gw::next_for(o, open)->id == 3);
  open.erase(open.begin() + 2);
  CHECK(gw::next_for(o, open)->id == 2);
  open.erase(open.begin() + 1);
  CHECK(gw::next_for(o, open)->id == 1);
}

TEST_CASE("assigned and closed handovers are never offered", "[helpdesk][routing]") {
  std::vector<gw::Handover> open = {waiting(1, "general", "urgent", 50), waiting(2, "general", "normal", 1)};
  open[0].state = "assigned";
  open[0].operator_id = 9;
  CHECK(gw::next_for(op(7, {"general"}), open)->id == 2);
  open[1].state = "closed";
  CHECK_FALSE(gw::next_for(op(7, {"general"}), open).has_value());
}

TEST_CASE("an operator is offered a conversation in a language they speak first", "[helpdesk][routing]") {
  std::vector<gw::Handover> open = {waiting(1, "general", "normal", 60, "ar"),
                                    waiting(2, "general", "normal", 5, "fa-AF"),
                                    waiting(3, "general", "normal", 1, "fr")};
  CHECK(gw::next_for(op(7, {"general"}, {"fa"}), open)->id == 2);  // fa-AF is fa
  CHECK(gw::next_for(op(7, {"general"}, {"fr", "uk"}), open)->id == 3);
  CHECK(gw::next_for(op(7, {"general"}, {}), open)->id == 1);  // no languages listed: any, oldest first
  // Nobody waits in their language: they still get the longest-waiting one.
  CHECK(gw::next_for(op(7, {"general"}, {"so"}), open)->id == 1);
}

TEST_CASE("an operator is offered only their queues, a supervisor every queue", "[helpdesk][routing]") {
  std::vector<gw::Handover> open = {waiting(1, "safeguarding", "urgent", 60),
                                    waiting(2, "general", "normal", 5)};
  CHECK(gw::next_for(op(7, {"general"}), open)->id == 2);
  CHECK_FALSE(gw::next_for(op(7, {"urgent"}), open).has_value());
  CHECK(gw::next_for(op(8, {}, {}, "supervisor"), open)->id == 1);
  CHECK(gw::next_for(op(8, {}, {}, "admin"), open)->id == 1);

  CHECK_FALSE(gw::can_open(op(7, {"general"}), open[0]));
  CHECK(gw::can_open(op(7, {"general"}), open[1]));
  CHECK(gw::can_open(op(8, {}, {}, "supervisor"), open[0]));
  // An editor is staff but no operator: they open no conversation, even listed in a queue.
  CHECK_FALSE(gw::can_open(op(9, {"general"}, {}, "editor"), open[1]));
}

TEST_CASE("auto-assignment fills operators up to their capacity and no further", "[helpdesk][routing]") {
  std::vector<gw::Handover> open = {waiting(1, "general", "normal", 40), waiting(2, "general", "normal", 30),
                                    waiting(3, "general", "normal", 20), waiting(4, "general", "urgent", 1),
                                    waiting(5, "general", "normal", 10)};
  // Operator 7 already has one conversation and room for two; operator 8 room for one.
  gw::Handover busy = waiting(6, "general", "normal", 100);
  busy.state = "assigned";
  busy.operator_id = 7;
  open.push_back(busy);
  auto plan = gw::plan_auto_assignment(
      {op(7, {"general"}, {}, "operator", 2), op(8, {"general"}, {}, "operator", 1)}, open);
  REQUIRE(plan.size() == 2);
  // The urgent one first, to the least busy operator (8); then the oldest to 7.
  CHECK(plan[0] == std::make_pair<int64_t, int64_t>(4, 8));
  CHECK(plan[1] == std::make_pair<int64_t, int64_t>(1, 7));
  CHECK(gw::assigned_count(7, open) == 1);
}

TEST_CASE("auto-assignment prefers an operator who speaks the language and skips other queues",
          "[helpdesk][routing]") {
  std::vector<gw::Handover> open = {waiting(1, "general", "normal", 40, "ar"),
                                    waiting(2, "urgent", "normal", 30)};
  auto plan = gw::plan_auto_assignment({op(7, {"general"}, {"fr"}), op(9, {"general"}, {"ar"})}, open);
  REQUIRE(plan.size() == 1);
  CHECK(plan[0] == std::make_pair<int64_t, int64_t>(1, 9));
}
