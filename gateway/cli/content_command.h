// `gateway content export DIR` and `gateway content import DIR`: the published
// version of the content as files, and files back into the studio's draft.
#pragma once

#include <ostream>
#include <string>

namespace gw::cli {

// Writes the published version as DIR/flows/, DIR/templates/ and
// DIR/translations/, byte for byte as stored (the shipped files when nothing was
// published), and removes the files of those folders that the version does not
// have, so that a git diff of DIR shows only what changed.
int run_content_export(const std::string& dir, const std::string& config_path, std::ostream& out,
                       std::ostream& err);

// Reads DIR's content files and puts every entry that differs from the
// published version into the draft (for review and publishing in the studio).
int run_content_import(const std::string& dir, const std::string& config_path, std::ostream& out,
                       std::ostream& err);

}  // namespace gw::cli
