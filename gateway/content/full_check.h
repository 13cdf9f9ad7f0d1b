// Every check `gateway check` makes, as data: templates, translations and SMS
// budgets (content_check.h), then the flows' shape and references
// (flow_files.h, engine/flow_check.h). The command prints them; the studio
// shows them and refuses to publish while there is an error.
#pragma once

#include <string>
#include <vector>

#include "gateway/content/content_check.h"

namespace gw {

struct CheckFinding {
  Severity severity = Severity::kError;
  std::string file;      // relative to the content directory; may be empty
  std::string location;  // template key, msgctxt or JSON path; may be empty
  std::string message;
  // As `gateway check` prints it: "file:location: error: message" (info: without the severity).
  std::string line;
};

struct CheckReport {
  std::vector<CheckFinding> findings;
  int errors = 0;
  int warnings = 0;
};

CheckReport check_everything(const std::string& content_dir);

}  // namespace gw
