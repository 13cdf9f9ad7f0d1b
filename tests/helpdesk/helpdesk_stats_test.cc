// The helpdesk's part of the anonymised statistics: handovers by queue and
// priority, the time to the first operator reply and the handling time in
// buckets, and how handovers end — counted in the same transaction as the
// reply or the close, in the week and country of the conversation, and never
// changed by erasing the person.
#include <catch2/catch.hpp>
#include <map>

#include "tests/helpdesk/helpdesk_fixture.h"

using namespace std::chrono_literals;
using gw::testing::HelpdeskFixture;

namespace {

// metric/value -> count, every week and country summed (the fixture's person is in GB).
std::map<std::string, int64_t> counters(gw::Store& store, const std::string& country = "GB") {
  auto all = store.read_stats("0000-W01", "9999-W53");
  REQUIRE(all.ok());
  std::map<std::string, int64_t> out;
  for (const gw::StatCount& c : *all) {
    if (c.country == country) out[c.metric + "/" + c.value] += c.count;
  }
  return out;
}

}  // namespace

TEST_CASE("a handover is counted by queue and priority, its first reply and its close in time buckets",
          "[helpdesk][stats]") {
  HelpdeskFixture f;
  auto h = f.handed_over("+447700900001", "2");  // urgent
  auto c = counters(*f.store);
  CHECK(c["conversations.channel/sms"] == 1);
  CHECK(c["conversations.country/GB"] == 1);
  CHECK(c["conversations.language/unknown"] == 1);
  CHECK(c["handovers.queue/urgent"] == 1);
  CHECK(c["handovers.priority/urgent"] == 1);
  CHECK(c.count("handovers.first_reply/lt5m") == 0);

  const int64_t ana = f.account("ana");
  auto ana_op = f.op(ana, {"urgent"});
  REQUIRE(f.helpdesk.assign(h.id, ana_op).ok());
  f.clock.advance(7min);
  REQUIRE(f.helpdesk.reply(h.id, ana_op, "I am here").ok());
  f.clock.advance(1min);
  REQUIRE(f.helpdesk.reply(h.id, ana_op, "Still here").ok());  // only the first reply counts
  c = counters(*f.store);
  CHECK(c["handovers.first_reply/lt15m"] == 1);
  CHECK(c["handovers.first_reply/lt5m"] == 0);

  f.clock.advance(2h);  // 2 h 8 min after the handover
  REQUIRE(f.helpdesk.close(h.id, ana_op, gw::CloseMode::kBackToBot).ok());
  c = counters(*f.store);
  CHECK(c["handovers.outcome/back_to_bot"] == 1);
  CHECK(c["handovers.outcome/ended"] == 0);
  CHECK(c["handovers.handling/lt240m"] == 1);

  // Another handover, ended after five hours without a reply.
  auto h2 = f.handed_over("+447700900002", "1");
  const int64_t ben = f.account("ben");
  auto ben_op = f.op(ben, {"general"});
  REQUIRE(f.helpdesk.assign(h2.id, ben_op).ok());
  f.clock.advance(5h);
  REQUIRE(f.helpdesk.close(h2.id, ben_op, gw::CloseMode::kEnd).ok());
  c = counters(*f.store);
  CHECK(c["handovers.queue/general"] == 1);
  CHECK(c["handovers.priority/normal"] == 1);
  CHECK(c["handovers.outcome/ended"] == 1);
  CHECK(c["handovers.handling/more"] == 1);
  CHECK(c["conversations.channel/sms"] == 2);

  // Erasing both people changes no counter.
  auto before = f.store->read_stats("0000-W01", "9999-W53");
  REQUIRE(before.ok());
  REQUIRE(f.store->erase_contact(h.contact_id).ok());
  REQUIRE(f.store->erase_contact(h2.contact_id).ok());
  auto after = f.store->read_stats("0000-W01", "9999-W53");
  REQUIRE(after.ok());
  CHECK(*after == *before);
}

TEST_CASE("a reply or close that fails counts nothing", "[helpdesk][stats]") {
  HelpdeskFixture f;
  auto h = f.handed_over("+447700900001", "1");
  const int64_t ana = f.account("ana");
  auto ana_op = f.op(ana, {"general"});
  REQUIRE(f.helpdesk.assign(h.id, ana_op).ok());
  auto before = counters(*f.store);
  // Refused (nothing to send): nothing recorded, nothing counted.
  CHECK_FALSE(f.helpdesk.reply(h.id, ana_op, "").ok());
  // The person opted out meanwhile: the reply is refused.
  REQUIRE(f.store->mark_contact_opted_out(h.contact_id, f.clock.now()).ok());
  CHECK_FALSE(f.helpdesk.reply(h.id, ana_op, "hello").ok());
  CHECK(counters(*f.store) == before);
}
