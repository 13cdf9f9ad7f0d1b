#include "gateway/cli/check_command.h"

#include <filesystem>
#include <set>

#include "gateway/cli/commands.h"
#include "gateway/content/content_check.h"
#include "gateway/content/content_extract.h"
#include "gateway/content/flow_files.h"
#include "gateway/content/template_catalog.h"
#include "gateway/engine/flow_check.h"

namespace gw::cli {

int run_check(const std::string& content_dir, std::ostream& out, std::ostream& err) {
  int errors = 0, warnings = 0;

  // Templates, translations, SMS budgets.
  for (const ContentProblem& p : check_content(content_dir)) {
    if (p.severity == Severity::kInfo) {
      out << p.to_string() << "\n";
      continue;
    }
    (p.severity == Severity::kError ? errors : warnings)++;
    // "file:location: error: message", the same shape as the flow problems.
    std::string line = p.to_string();
    const std::string tail = ": " + p.message;
    line.insert(line.size() - tail.size(), std::string(": ") + severity_name(p.severity));
    err << line << "\n";
  }

  // Flows: their shape, then whether every reference resolves.
  const std::string flows_dir = (std::filesystem::path(content_dir) / "flows").string();
  auto flows = load_flows(flows_dir);
  if (!flows) {
    // One problem a line, each already "file:location: message".
    std::string msg = flows.error().message;
    size_t start = 0;
    while (start <= msg.size()) {
      size_t end = msg.find('\n', start);
      if (end == std::string::npos) end = msg.size();
      if (end > start) {
        err << msg.substr(start, end - start) << "\n";
        ++errors;
      }
      start = end + 1;
    }
  } else {
    std::set<std::string> keys;
    std::vector<TemplateProblem> ignored;  // reported by check_content above
    TemplateCatalog catalog = TemplateCatalog::load_collecting(
        (std::filesystem::path(content_dir) / "templates").string(), &ignored);
    for (const auto& [key, t] : catalog.all()) keys.insert(key);
    for (const FlowProblem& p : check_flows(*flows, keys)) {
      (p.severity == FlowProblem::Severity::kError ? errors : warnings)++;
      err << p.to_string() << "\n";
    }
  }

  out << "check: " << errors << (errors == 1 ? " error, " : " errors, ") << warnings
      << (warnings == 1 ? " warning" : " warnings") << "\n";
  return errors > 0 ? kExitFailure : kExitOk;
}

namespace {
std::string percent(int part, int total) {
  if (total <= 0) return "–";
  const int tenths = static_cast<int>((1000LL * part + total / 2) / total);
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " %";
}
}  // namespace

int run_content_stats(const std::string& content_dir, std::ostream& out, std::ostream& err) {
  const auto templates = std::filesystem::path(content_dir) / "templates";
  std::error_code ec;
  if (!std::filesystem::is_directory(templates, ec)) {
    err << "gateway content stats: " << templates.string() << ": no such directory\n";
    return kExitFailure;
  }
  const std::vector<LanguageStats> rows = content_stats(content_dir);
  out << "| language | translated | fuzzy (drafts) | untranslated | longest SMS (segments) |\n";
  out << "| --- | ---: | ---: | ---: | ---: |\n";
  for (const LanguageStats& s : rows) {
    out << "| " << s.language << " | " << percent(s.translated, s.total) << " | " << percent(s.fuzzy, s.total)
        << " | " << s.untranslated << " | " << s.max_sms_segments << " |\n";
  }
  return kExitOk;
}

int run_content_extract(const std::string& content_dir, std::ostream& out, std::ostream& err) {
  Status s = extract_content(content_dir);
  if (!s) {
    err << "gateway content extract: " << s.error().message << "\n";
    return kExitFailure;
  }
  out << "content extract: translations/messages.pot written and merged into every translations/*.po\n";
  return kExitOk;
}

}  // namespace gw::cli
