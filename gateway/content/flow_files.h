// Flow files: reads a content directory's flows/*.json and hands their text to
// the engine's flow parser (engine/flow_parser.h), which never touches files.
//
// One flow a file, named after its id (flows/main.json holds "id": "main");
// flows/globals.json holds the entry flow and the global keywords; schema.json
// and anything not ending in .json are skipped. Files are read in name order and
// every problem of every file is reported at once, one per line, as
// `file:location: message`.
#pragma once

#include <string>

#include "gateway/core/result.h"
#include "gateway/engine/flow.h"

namespace gw {

// Every flow in `dir` plus its globals.json. An unreadable directory is kIo; any
// malformed or unreadable file makes the whole load kInvalidArgument with every
// problem listed.
Result<FlowSet> load_flows(const std::string& dir);

}  // namespace gw
