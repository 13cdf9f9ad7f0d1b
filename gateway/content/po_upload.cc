#include "gateway/content/po_upload.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "gateway/content/po_catalog.h"
#include "gateway/content/renderer.h"

namespace gw {
namespace {

// The messages of a PO text: its msgid lines (the header's included), obsolete
// ones (#~) not, as they start with '#'.
size_t count_messages(std::string_view bytes) {
  size_t n = 0;
  for (size_t at = 0; at < bytes.size();) {
    size_t end = bytes.find('\n', at);
    if (end == std::string_view::npos) end = bytes.size();
    if (bytes.substr(at, 6) == "msgid ") ++n;
    at = end + 1;
  }
  return n;
}

// A private file holding the upload, removed with this object.
class TempPoFile {
 public:
  TempPoFile() = default;
  ~TempPoFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempPoFile(const TempPoFile&) = delete;
  TempPoFile& operator=(const TempPoFile&) = delete;

  // Creates the file (mode 0600) and writes `bytes`; the error says why not.
  Status write(std::string_view bytes) {
    std::error_code ec;
    std::string name = (std::filesystem::temp_directory_path(ec) / "gw-po-upload-XXXXXX").string();
    if (ec) name = "/tmp/gw-po-upload-XXXXXX";
    const int fd = ::mkstemp(name.data());
    if (fd < 0) return Error::io(std::string("cannot create a temporary file: ") + std::strerror(errno));
    path_ = name;
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int err = errno;
        ::close(fd);
        return Error::io(std::string("cannot write a temporary file: ") + std::strerror(err));
      }
      done += static_cast<size_t>(n);
    }
    if (::close(fd) != 0)
      return Error::io(std::string("cannot write a temporary file: ") + std::strerror(errno));
    return {};
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void add_all(const std::vector<PoFileProblem>& found, PoUpload* out) {
  for (const PoFileProblem& f : found) {
    out->problems.push_back({f.location, f.line, f.problem.severity, f.problem.code, f.problem.message});
  }
}

}  // namespace

bool PoUpload::has_errors() const {
  for (const auto& p : problems) {
    if (p.severity == Severity::kError) return true;
  }
  return false;
}

nlohmann::json PoUpload::to_json() const {
  nlohmann::json entries_json = nlohmann::json::array();
  for (const auto& e : entries) {
    entries_json.push_back({{"msgctxt", e.msgctxt}, {"msgstr", e.msgstr}, {"fuzzy", e.fuzzy}});
  }
  nlohmann::json problems_json = nlohmann::json::array();
  int errors = 0, warnings = 0;
  for (const auto& p : problems) {
    if (p.severity == Severity::kError) ++errors;
    if (p.severity == Severity::kWarning) ++warnings;
    problems_json.push_back({{"msgctxt", p.msgctxt},
                             {"line", p.line},
                             {"severity", severity_name(p.severity)},
                             {"code", p.code},
                             {"message", p.message}});
  }
  return {{"entries", std::move(entries_json)},
          {"errors", errors},
          {"warnings", warnings},
          {"problems", std::move(problems_json)}};
}

PoUpload read_po_upload(std::string_view bytes, const std::string& lang, const TemplateCatalog& templates,
                        const LanguagePolicy& policy) {
  PoUpload out;
  if (bytes.size() > kMaxPoUploadBytes) {
    out.problems.push_back({"", 0, Severity::kError, "too_large",
                            "the file is " + std::to_string(bytes.size()) + " bytes; at most " +
                                std::to_string(kMaxPoUploadBytes) + " are accepted"});
    return out;
  }
  if (const size_t n = count_messages(bytes); n > kMaxPoUploadMessages) {
    out.problems.push_back({"", 0, Severity::kError, "too_many_messages",
                            "the file has " + std::to_string(n) + " messages; at most " +
                                std::to_string(kMaxPoUploadMessages) + " are accepted"});
    return out;
  }

  TempPoFile file;
  if (auto s = file.write(bytes); !s) {
    out.problems.push_back({"", 0, Severity::kError, "io", s.error().message});
    return out;
  }
  std::vector<PoProblem> read_problems;
  auto po = PoCatalog::read(file.path(), &read_problems);
  for (const PoProblem& p : read_problems) {
    // The temporary file's name means nothing to the person uploading.
    out.problems.push_back(
        {"", static_cast<int>(p.line), p.error ? Severity::kError : Severity::kWarning, "syntax", p.message});
  }
  if (!po) {
    if (read_problems.empty())
      out.problems.push_back({"", 0, Severity::kError, "syntax", po.error().message});
    return out;
  }

  for (const MessageProblem& p : check_po_header(lang, po->header_language(), po->plural_forms()))
    out.problems.push_back({"", 0, p.severity, p.code, p.message});
  for (const PoEntry& e : po->entries()) {
    out.entries.push_back({e.msgctxt, e.msgstr, e.fuzzy});
    for (const MessageProblem& p : check_translation_entry(lang, templates, e))
      out.problems.push_back({e.msgctxt, e.line, p.severity, p.code, p.message});
  }
  ContentSet set;
  set.templates = templates;
  set.translations.emplace(lang, *po);
  RenderOptions options;
  options.log_failures = false;
  const Renderer renderer(std::move(set), policy, options);
  add_all(po_budget_problems(renderer, *po, lang), &out);
  add_all(po_lock_screen_problems(templates, *po, lang), &out);
  return out;
}

}  // namespace gw
