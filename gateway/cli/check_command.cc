#include "gateway/cli/check_command.h"

#include <filesystem>
#include <set>

#include "gateway/cli/commands.h"
#include "gateway/content/content_check.h"
#include "gateway/content/full_check.h"
#include "gateway/content/content_extract.h"
#include "gateway/content/flow_files.h"
#include "gateway/content/template_catalog.h"
#include "gateway/engine/flow_check.h"

namespace gw::cli {

int run_check(const std::string& content_dir, std::ostream& out, std::ostream& err) {
  const CheckReport report = check_everything(content_dir);
  for (const CheckFinding& f : report.findings) (f.severity == Severity::kInfo ? out : err) << f.line << "\n";
  out << "check: " << report.errors << (report.errors == 1 ? " error, " : " errors, ") << report.warnings
      << (report.warnings == 1 ? " warning" : " warnings") << "\n";
  return report.errors > 0 ? kExitFailure : kExitOk;
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
