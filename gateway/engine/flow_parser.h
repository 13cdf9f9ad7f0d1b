// Flow loader: reads flows/*.json into a FlowSet, enforcing the format that
// flows/schema.json describes.
//
// One flow a file, named after its id (flows/main.json holds "id": "main");
// flows/globals.json holds the entry flow and the global keywords; schema.json
// and anything not ending in .json are skipped. Every problem is collected and
// reported at once, one per line, as `file:location: message` where location is
// a JSON path such as `$.nodes.menu.choices[2].next`. The loader checks the
// shape of each file; whether references resolve (node ids, sub-flows, template
// keys) is the job of check_flows (flow_check.h).
#pragma once

#include <string>
#include <string_view>

#include "gateway/core/result.h"
#include "gateway/engine/flow.h"

namespace gw {

// Every flow in `dir` plus its globals.json. An unreadable directory is kIo; any
// malformed file makes the whole load kInvalidArgument with every problem listed.
Result<FlowSet> load_flows(const std::string& dir);

// One flow from the JSON text of `file` (a path; its stem must equal the id).
Result<Flow> parse_flow(std::string_view text, const std::string& file);

// The globals from the JSON text of `file`, stored into `set` (entry, globals).
Status parse_globals(std::string_view text, const std::string& file, FlowSet* set);

}  // namespace gw
