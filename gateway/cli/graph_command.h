// `gateway content graph FLOW [--content DIR] [--lang LANG]`: the SVG diagram of
// one flow (gateway/content/flow_graph.h) on standard output, its texts in LANG.
#pragma once

#include <ostream>
#include <string>

namespace gw::cli {

struct GraphOptions {
  std::string content_dir = ".";
  std::string flow;  // the flow's id, e.g. "menu"
  // The language of the texts: the source language (default, "en") shows each
  // template's source text as written; another one shows what the renderer sends
  // a person in that language (a translation, or the fallback it falls back to).
  std::string lang;
};

// Exit 0 with the SVG on `out`; 1 with one line on `err` when the content cannot
// be read, the flow does not exist, LANG has no translations or the flow cannot
// be drawn.
int run_content_graph(const GraphOptions& options, std::ostream& out, std::ostream& err);

}  // namespace gw::cli
