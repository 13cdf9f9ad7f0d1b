// Flow parser: turns the JSON text of a flow file, or of globals.json, into the
// engine's Flow / FlowSet, enforcing the format that flows/schema.json describes.
// It reads no files: content/flow_files.h reads a flows directory and hands each
// file's text here, under the file's name.
//
// Every problem is collected and reported at once, one per line, as
// `file:location: message` where location is a JSON path such as
// `$.nodes.menu.choices[2].next`. The parser checks the shape of each file;
// whether references resolve (node ids, sub-flows, template keys) is the job of
// check_flows (flow_check.h).
#pragma once

#include <string>
#include <string_view>

#include "gateway/core/result.h"
#include "gateway/engine/flow.h"

namespace gw {

// One flow from the JSON text of `file` (a path or name used in the problems; its
// stem must equal the id).
Result<Flow> parse_flow(std::string_view text, const std::string& file);

// The globals from the JSON text of `file`, stored into `set` (entry, globals).
Status parse_globals(std::string_view text, const std::string& file, FlowSet* set);

}  // namespace gw
