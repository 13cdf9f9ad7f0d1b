// ContentStore: the published versions of the content (flows, templates and
// translations, as files) and the draft the content studio edits.
//
// A version is a whole set of files (path → bytes, e.g. "flows/menu.json"); files
// are stored once by digest, so a version that changes one PO costs one PO. The
// first version is the content the gateway shipped with; each publish or rollback
// adds one. The newest version is the published one. Versions are never changed
// or deleted.
//
// The draft is a set of entries ("template:<key>", "translation:<lang>:<ctx>",
// "flow:<id>", "node:<flow>/<node>"), each with the value an editor saved (JSON
// text; none when the edit removes the entry). Every entry ever edited keeps a
// revision, from one sequence, and who changed it last and when: an editor
// saves against the revision they saw, and a save against an older one is
// refused (kAlreadyExists), never silently overwritten. Publishing clears the
// draft values but keeps the revisions, so an editor who still holds a view from
// before a publish or a rollback is told too.
//
// Content is not personal data: nothing here is encrypted.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/result.h"

namespace gw {

struct ContentVersion {
  int64_t id = 0;
  TimePoint at{};
  std::optional<int64_t> account_id;  // none for the shipped files
  std::string author;                 // the account's username, or "gateway" for the shipped files
  std::string message;
  std::string origin;  // "files" | "publish" | "rollback" | "import"
  std::optional<int64_t> rollback_of;
  std::string digest;        // of all its files (content_files.h)
  int changes = 0;           // entries changed against the version before
  std::string changes_json;  // [{"entry","before","after","by"}], against the version before
};

struct DraftEntry {
  std::string entry;
  std::optional<std::string> value_json;  // none: the edit removes the entry
  bool in_draft = false;                  // false: only the revision is remembered
  int64_t revision = 0;
  std::optional<int64_t> account_id;
  std::string author;
  TimePoint updated_at{};
};

class ContentStore {
 public:
  virtual ~ContentStore() = default;

  // The newest version, none before the first.
  virtual Result<std::optional<ContentVersion>> latest_content_version() = 0;
  // Newest first, at most `limit` (without changes_json, to keep lists light).
  virtual Result<std::vector<ContentVersion>> list_content_versions(int limit) = 0;
  virtual Result<std::optional<ContentVersion>> get_content_version(int64_t id) = 0;
  // kNotFound for an unknown version.
  virtual Result<std::map<std::string, std::string>> content_version_files(int64_t id) = 0;
  // Adds a version (its id is set by the store) holding `files`, provided the
  // newest version is still `expected_latest` (0: there is none); otherwise
  // kAlreadyExists and nothing is written, so that two publishes never both win.
  virtual Result<int64_t> add_content_version(const ContentVersion& v,
                                              const std::map<std::string, std::string>& files,
                                              int64_t expected_latest) = 0;

  // Every entry with a revision: those in the draft and those edited before.
  virtual Result<std::vector<DraftEntry>> list_draft_entries() = 0;
  // Saves an entry's draft value, provided its revision is still
  // `base_revision` (0: never edited); returns the new revision. kAlreadyExists
  // when someone saved it in between.
  virtual Result<int64_t> put_draft_entry(const std::string& entry,
                                          const std::optional<std::string>& value_json, int64_t base_revision,
                                          std::optional<int64_t> account_id, const std::string& author,
                                          TimePoint now) = 0;
  // Takes `entries` out of the draft (all of it when empty), keeping revisions.
  virtual Status clear_draft_entries(const std::vector<std::string>& entries) = 0;
  // Gives `entries` a new revision by `author` without putting them in the draft
  // (a rollback changed them under anyone's open view).
  virtual Status touch_entries(const std::vector<std::string>& entries, std::optional<int64_t> account_id,
                               const std::string& author, TimePoint now) = 0;
};

}  // namespace gw
