#include "gateway/cli/simulate_command.h"

#include "gateway/cli/commands.h"
#include "gateway/conversations/simulator.h"

namespace gw::cli {

int run_simulate(const SimulateOptions& options, std::istream& in, std::ostream& out, std::ostream& err) {
  SimulatorOptions so;
  so.language = options.lang;
  so.from = options.from;
  so.channel = options.channel;
  auto sim = Simulator::open(options.content_dir, so);
  if (!sim) {
    std::string msg = sim.error().message;
    if (msg.find('\n') != std::string::npos)
      msg = msg.substr(0, msg.find('\n')) + " (gateway check lists every problem)";
    err << "gateway simulate: " << msg << "\n";
    return kExitFailure;
  }
  SystemClock clock;
  std::string line;
  for (int turn = 0; std::getline(in, line); ++turn) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    SimulatedTurn t = (*sim)->send(line, clock.now());
    for (const SimulatedReply& r : t.replies) {
      if (options.json) {
        out << nlohmann::json{{"turn", turn},           {"text", r.text},         {"language", r.language},
                              {"encoding", r.encoding}, {"segments", r.segments}, {"key", r.key}}
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
            << "\n";
      } else {
        out << r.text << "\n";
        if (options.channel == "sms") {
          out << "  (" << r.encoding << ", " << r.segments << (r.segments == 1 ? " segment)" : " segments)")
              << "\n";
        }
      }
    }
    for (nlohmann::json ev : t.events) {
      if (options.json) {
        ev["turn"] = turn;
        out << ev.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      } else {
        out << "  [" << ev.value("event", "");
        for (const auto& [k, v] : ev.items()) {
          if (k != "event") out << " " << k << "=" << (v.is_string() ? v.get<std::string>() : v.dump());
        }
        out << "]\n";
      }
    }
    // What the statistics would count: for content writers checking their stat tags.
    if (options.json) {
      for (const StatTag& st : t.stats) {
        out << nlohmann::json{{"event", "stat"}, {"metric", st.metric}, {"value", st.value}, {"turn", turn}}
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
            << "\n";
      }
    }
    out.flush();
  }
  return kExitOk;
}

}  // namespace gw::cli
