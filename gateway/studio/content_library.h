// ContentLibrary: the content a gateway speaks from, as versions in the store,
// and the draft the content studio edits.
//
// - Versions. The first version is the content the gateway shipped with (the
//   files of `content_dir`). Each publish or rollback adds a version; the newest
//   is the published one, loaded into live() and used by every message decided
//   after it. Versions live in the store, so that instances sharing a database
//   share them: refresh() loads a version another instance published.
// - Files at start. When the files of `content_dir` differ from the newest
//   version taken from files, they become a new version if nothing was
//   published in the studio since (the gateway was upgraded with new content);
//   otherwise the studio's version stays and the log says the files differ
//   (`gateway content import` makes a draft of them).
// - The draft is the published version plus the entries edited since
//   (content_entries.h). Each save names the revision it started from; a save
//   against an older revision is refused (kAlreadyExists) and nothing is
//   written. The draft is composed again only when an edit or a publish changed
//   it.
// - Publishing needs the right role (supervisor, admin, or an editor with review
//   rights), 0 errors from the checks `gateway check` makes, facts reviewed for
//   every changed template that states facts, and, with
//   publish_requires_second_person, a publisher who is not the last editor of
//   any entry the draft changes. It records a version (who, when, a message and
//   the changes per entry) and replaces the live content at once: conversations
//   in progress go on; one whose node is gone restarts at a safe point
//   (Engine::step).
// - A rollback publishes an earlier version's content as a new version; the
//   draft's edits stay and apply on top of it.
// Every edit, review mark, discard, publish, rollback and import is audited.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/content/content_entries.h"
#include "gateway/content/content_files.h"
#include "gateway/content/full_check.h"
#include "gateway/content/live_content.h"
#include "gateway/core/clock.h"
#include "gateway/core/result.h"
#include "gateway/store/store.h"

namespace gw {

// Who does something in the studio.
struct Editor {
  std::optional<int64_t> account_id;  // none: the command line
  std::string username;
  std::string role;  // "editor" | "supervisor" | "admin" | "" (command line)
  bool reviewer = false;

  bool may_publish() const {
    return role == "supervisor" || role == "admin" || (role == "editor" && reviewer);
  }
  std::string actor() const { return account_id ? "account:" + std::to_string(*account_id) : "system"; }
};

// A change between two versions (or the published version and the draft).
struct ContentChange {
  std::string entry;
  std::optional<nlohmann::ordered_json> before, after;
  std::string by;  // the last editor, when known
  TimePoint at{};
};

struct ContentLibraryOptions {
  std::string files_dir = ".";  // the shipped content (config content_dir)
  ContentLoadOptions load;
  bool publish_requires_second_person = false;
};

class ContentLibrary {
 public:
  // The published version and the draft's edits, composed.
  struct Draft {
    uint64_t serial = 0;  // a new one for every draft composed in this process
    int64_t base_version = 0;
    std::shared_ptr<const ContentFiles> files;
    ContentEntries entries;
    std::vector<DraftEntry> edits;                // the entries in the draft
    std::map<std::string, DraftEntry> revisions;  // every entry ever edited
    std::string compose_error;                    // the edits no longer apply (after a rollback): why
    int64_t revision_of(const std::string& entry) const;
  };

  // REQUIRES: store.content_store() is not null; `store` and `clock` outlive this.
  // Instances sharing a database may open at once: when another one adds a
  // version between this one's look at the newest and its own addition, this
  // one decides again on what the other added (it adds the files only if they
  // still differ and nothing was published in the studio).
  static Result<std::unique_ptr<ContentLibrary>> open(Store& store, Clock& clock,
                                                      ContentLibraryOptions options);
  // The same with the versions and the draft in `content` (a view of `store`'s
  // content, e.g. one that a test interposes); `content` outlives this too.
  static Result<std::unique_ptr<ContentLibrary>> open(Store& store, ContentStore& content, Clock& clock,
                                                      ContentLibraryOptions options);

  LiveContent& live() { return *live_; }
  int64_t published_version() const;
  // A copy of the published version's files on disk (the simulator reads it);
  // rewritten in place when a version is published.
  const std::string& published_dir() const { return published_copy_.dir(); }
  bool four_eyes() const { return options_.publish_requires_second_person; }

  // Loads the newest version if another instance published one.
  Status refresh();

  std::shared_ptr<const ContentFiles> published_files() const;
  Result<std::shared_ptr<const ContentEntries>> published_entries();
  Result<std::shared_ptr<const Draft>> draft();
  // The checks of `gateway check` on the draft (made once per draft).
  Result<CheckReport> check_draft();
  // What the draft changes against the published version.
  Result<std::vector<ContentChange>> draft_changes();

  // Saves one entry's new value (none: remove it) into the draft, provided its
  // revision is still `base_revision`. kAlreadyExists when someone saved it in
  // between; kInvalidArgument when the edit cannot apply (the message says why).
  // `action` names it in the audit log ("content.edit", "content.review", ...).
  Result<int64_t> save(const std::string& entry, const std::optional<nlohmann::ordered_json>& value,
                       int64_t base_revision, const Editor& who, const std::string& action = "content.edit");
  // Several entries at once, all or none (a flow's nodes, a PO upload).
  struct Edit {
    std::string entry;
    std::optional<nlohmann::ordered_json> value;
    int64_t base_revision = 0;
  };
  // Returns the new revisions in order. Errors as save(); kAlreadyExists names the entry.
  Result<std::vector<int64_t>> save_all(const std::vector<Edit>& edits, const Editor& who,
                                        const std::string& action);
  // Takes `entries` (all when empty) out of the draft.
  Status discard(const std::vector<std::string>& entries, const Editor& who);
  // Puts every entry of `files` that differs from the published version into the
  // draft (`gateway content import`).
  Result<int> import_files(const ContentFiles& files, const Editor& who);

  struct PublishRefusal {
    std::string
        code;  // "forbidden", "empty_draft", "four_eyes", "facts_not_reviewed", "check_failed", "conflict"
    std::string message;
    std::vector<std::string> entries;
    std::vector<CheckFinding> findings;
  };
  struct Published {
    int64_t version = 0;
    std::optional<PublishRefusal> refused;
  };
  Result<Published> publish(const Editor& who, const std::string& message);
  // Why `who` could not publish the draft now (none: they could), given the
  // draft's check report (check_draft()).
  Result<std::optional<PublishRefusal>> publish_refusal(const Editor& who, const CheckReport& report);
  Result<Published> rollback(int64_t version, const Editor& who, const std::string& message);

  // Versions, newest first, and one version's recorded changes.
  Result<std::vector<ContentVersion>> versions(int limit);
  Result<std::optional<ContentVersion>> version(int64_t id);

 private:
  ContentLibrary(Store& store, ContentStore& content, Clock& clock, ContentLibraryOptions options,
                 MaterializedContent published_copy);
  // Loads `files` as version `id` and makes it the published one.
  Status install(int64_t id, std::shared_ptr<const ContentFiles> files);
  Result<std::shared_ptr<const Draft>> compose();
  Result<std::vector<ContentChange>> changes_of(const Draft& d);
  // The checks publish() makes, on draft `d` whose changes are `changes`.
  std::optional<PublishRefusal> refusal(const Editor& who, const Draft& d,
                                        const std::vector<ContentChange>& changes);
  void audit(const Editor& who, const std::string& action, const std::string& subject,
             const nlohmann::json& detail);
  Result<Published> add_version(const Editor& who, const std::string& origin, const std::string& message,
                                std::optional<int64_t> rollback_of, std::shared_ptr<const ContentFiles> files,
                                int64_t expected_base, const std::vector<ContentChange>& changes,
                                const std::vector<DraftEntry>& published_edits);

  Store& store_;
  ContentStore& content_;
  Clock& clock_;
  ContentLibraryOptions options_;
  MaterializedContent published_copy_;
  std::unique_ptr<LiveContent> live_;

  std::mutex publish_mu_;  // one publish, rollback or refresh at a time (rare, and they replace the content)
  mutable std::mutex mu_;  // guards the members below; held only to copy or swap them
  int64_t published_version_ = 0;
  std::shared_ptr<const ContentFiles> published_files_;
  std::shared_ptr<const ContentEntries> published_entries_;
  std::shared_ptr<const Draft> draft_;          // null: to compose again
  std::shared_ptr<const Draft> checked_draft_;  // the draft checked_report_ is of
  std::shared_ptr<const CheckReport> checked_report_;
};

}  // namespace gw
