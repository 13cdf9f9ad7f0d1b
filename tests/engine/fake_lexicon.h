// FakeLexicon: keyword lists from tests/engine/fixture_templates.json, the
// person's language first and then English, as the shell's catalog would give.
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/content/flow_files.h"
#include "gateway/core/clock.h"
#include "gateway/engine/lexicon.h"

namespace gw::testing {

inline std::string engine_fixture_dir() {
  return std::string(GATEWAY_SOURCE_DIR) + "/tests/engine";
}

inline nlohmann::json fixture_templates() {
  std::ifstream in(engine_fixture_dir() + "/fixture_templates.json");
  return nlohmann::json::parse(in);
}

class FakeLexicon final : public Lexicon {
 public:
  FakeLexicon() : texts_(fixture_templates()) {}

  std::vector<std::string> keywords(const std::string& key, const std::string& lang) const override {
    std::vector<std::string> out;
    for (const std::string& l : {lang, std::string("en")}) {
      if (!texts_.contains(l) || !texts_[l].contains(key)) continue;
      std::stringstream ss(texts_[l][key].get<std::string>());
      for (std::string w; std::getline(ss, w, ',');) {
        const auto b = w.find_first_not_of(' ');
        if (b != std::string::npos) out.push_back(w.substr(b, w.find_last_not_of(' ') - b + 1));
      }
    }
    return out;
  }

  // Every template key the fixtures define (the English texts).
  std::set<std::string> keys() const {
    std::set<std::string> k;
    for (const auto& [key, text] : texts_["en"].items()) k.insert(key);
    return k;
  }

 private:
  nlohmann::json texts_;
};

// The fixture flows; REQUIREs that they load.
inline FlowSet fixture_flows() {
  Result<FlowSet> flows = load_flows(engine_fixture_dir() + "/flows");
  if (!flows) throw std::runtime_error(flows.error().message);
  return std::move(*flows);
}

inline TimePoint t0() {
  return from_unix_ms(1'780'000'000'000);
}

}  // namespace gw::testing
