#include "gateway/content/full_check.h"

#include <filesystem>
#include <set>

#include "gateway/content/flow_files.h"
#include "gateway/content/template_catalog.h"
#include "gateway/engine/flow_check.h"

namespace gw {

CheckReport check_everything(const std::string& content_dir) {
  CheckReport report;
  auto add = [&report](CheckFinding f) {
    if (f.severity == Severity::kError) ++report.errors;
    if (f.severity == Severity::kWarning) ++report.warnings;
    report.findings.push_back(std::move(f));
  };

  // Templates, translations, SMS budgets.
  for (const ContentProblem& p : check_content(content_dir)) {
    CheckFinding f{p.severity, p.file, p.location, p.message, p.to_string()};
    if (p.severity != Severity::kInfo) {
      // "file:location: error: message", the same shape as the flow problems.
      const std::string tail = ": " + p.message;
      f.line.insert(f.line.size() - tail.size(), std::string(": ") + severity_name(p.severity));
    }
    add(std::move(f));
  }

  // Flows: their shape, then whether every reference resolves.
  const std::string flows_dir = (std::filesystem::path(content_dir) / "flows").string();
  auto flows = load_flows(flows_dir);
  if (!flows) {
    // One problem a line, each already "file:location: message".
    const std::string& msg = flows.error().message;
    size_t start = 0;
    while (start <= msg.size()) {
      size_t end = msg.find('\n', start);
      if (end == std::string::npos) end = msg.size();
      if (end > start) {
        const std::string text = msg.substr(start, end - start);
        const size_t colon = text.find(':');
        add(CheckFinding{Severity::kError, colon == std::string::npos ? "" : text.substr(0, colon), "", text,
                         text});
      }
      start = end + 1;
    }
    return report;
  }
  std::set<std::string> keys;
  std::vector<TemplateProblem> ignored;  // reported by check_content above
  TemplateCatalog catalog =
      TemplateCatalog::load_collecting((std::filesystem::path(content_dir) / "templates").string(), &ignored);
  for (const auto& [key, t] : catalog.all()) keys.insert(key);
  for (const FlowProblem& p : check_flows(*flows, keys)) {
    add(CheckFinding{p.severity == FlowProblem::Severity::kError ? Severity::kError : Severity::kWarning,
                     p.file, p.location, p.message, p.to_string()});
  }
  return report;
}

}  // namespace gw
