#include "gateway/content/flow_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "gateway/engine/flow_parser.h"

namespace gw {
namespace fs = std::filesystem;

Result<FlowSet> load_flows(const std::string& dir) {
  std::vector<fs::path> files;
  try {
    for (const auto& e : fs::directory_iterator(dir)) {
      const fs::path& p = e.path();
      if (e.is_regular_file() && p.extension() == ".json" && p.filename() != "schema.json")
        files.push_back(p);
    }
  } catch (const fs::filesystem_error& e) {
    return Error::io("cannot read flows directory " + dir + ": " + e.code().message());
  }
  std::sort(files.begin(), files.end());
  FlowSet set;
  std::vector<std::string> problems;
  for (const fs::path& p : files) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (!in) {
      problems.push_back(p.string() + ":$: cannot be read");
      continue;
    }
    if (p.filename() == "globals.json") {
      Status s = parse_globals(ss.str(), p.string(), &set);
      if (!s) problems.push_back(s.error().message);
      continue;
    }
    Result<Flow> f = parse_flow(ss.str(), p.string());
    if (!f) {
      problems.push_back(f.error().message);
      continue;
    }
    std::string id = f->id;
    set.flows.emplace(id, std::move(*f));
  }
  if (problems.empty()) return set;
  std::string all;
  for (const std::string& p : problems) {
    if (!all.empty()) all += "\n";
    all += p;
  }
  return Error::invalid(all);
}

}  // namespace gw
