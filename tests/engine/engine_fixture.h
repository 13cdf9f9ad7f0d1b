// EngineFixture: the fixture flows, a fake lexicon and a conversation driven one
// message at a time with a time the test moves.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "gateway/engine/engine.h"
#include "tests/engine/fake_lexicon.h"

namespace gw::testing {

struct EngineFixture {
  FakeLexicon lexicon;
  FlowSet flows = fixture_flows();
  EngineOptions options;
  ContactView contact{"en", "GB", "sms", {}, {}};
  TimePoint now = t0();
  StepResult r;

  Engine engine() const { return Engine(lexicon, options); }

  const std::vector<Effect>& send(const std::string& text) {
    r = engine().step(flows, r.session, contact, Input{text}, now);
    return r.effects;
  }
  const std::vector<Effect>& tick() {
    r = engine().tick(flows, r.session, contact, now);
    return r.effects;
  }
  const std::vector<Effect>& start(const std::string& flow) {
    r = engine().start(flows, flow, contact, now);
    return r.effects;
  }
  void advance(std::chrono::seconds s) { now += s; }

  // The template keys of the Say effects of the last call, in order.
  std::vector<std::string> says() const {
    std::vector<std::string> keys;
    for (const Effect& e : r.effects) {
      if (auto* s = std::get_if<effect::Say>(&e)) keys.push_back(s->template_key);
    }
    return keys;
  }
  template <class T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (const Effect& e : r.effects) {
      if (auto* x = std::get_if<T>(&e)) out.push_back(*x);
    }
    return out;
  }
  // Where the session waits: "flow/node", or "" when it has ended.
  std::string at() const { return r.session.ended ? "" : r.session.at().flow + "/" + r.session.at().node; }
  std::string end_reason() const {
    auto ends = all<effect::End>();
    return ends.empty() ? "" : ends.back().reason;
  }
};

}  // namespace gw::testing
