#include "gateway/studio/content_library.h"

#include <atomic>
#include <filesystem>
#include <set>

#include "gateway/core/log.h"

namespace gw {
namespace {

using ojson = nlohmann::ordered_json;

constexpr int kFilesScanLimit = 1000;  // versions looked through for the newest one taken from files

std::string changes_json(const std::vector<ContentChange>& changes) {
  ojson out = ojson::array();
  for (const ContentChange& c : changes) {
    ojson item = {{"entry", c.entry}};
    item["before"] = c.before ? *c.before : ojson(nullptr);
    item["after"] = c.after ? *c.after : ojson(nullptr);
    if (!c.by.empty()) item["by"] = c.by;
    out.push_back(std::move(item));
  }
  return out.dump();
}

std::vector<ContentChange> to_changes(const std::vector<EntryChange>& diff,
                                      const std::map<std::string, DraftEntry>* edits) {
  std::vector<ContentChange> out;
  for (const EntryChange& d : diff) {
    ContentChange c{d.entry, d.before, d.after, "", {}};
    if (edits) {
      auto e = edits->find(d.entry);
      if (e != edits->end()) {
        c.by = e->second.author;
        c.at = e->second.updated_at;
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

// Removes the files of `dir` that `before` had and `after` has not.
void remove_stale(const ContentFiles& before, const ContentFiles& after, const std::string& dir) {
  for (const auto& [path, bytes] : before) {
    if (!after.count(path)) {
      std::error_code ec;
      std::filesystem::remove(std::filesystem::path(dir) / path, ec);
    }
  }
}

}  // namespace

int64_t ContentLibrary::Draft::revision_of(const std::string& entry) const {
  auto r = revisions.find(entry);
  return r == revisions.end() ? 0 : r->second.revision;
}

ContentLibrary::ContentLibrary(Store& store, ContentStore& content, Clock& clock,
                               ContentLibraryOptions options, MaterializedContent published_copy)
    : store_(store),
      content_(content),
      clock_(clock),
      options_(std::move(options)),
      published_copy_(std::move(published_copy)) {}

Result<std::unique_ptr<ContentLibrary>> ContentLibrary::open(Store& store, Clock& clock,
                                                             ContentLibraryOptions options) {
  ContentStore* content = store.content_store();
  if (!content) return Error::unimplemented("this store keeps no content versions");
  return open(store, *content, clock, std::move(options));
}

Result<std::unique_ptr<ContentLibrary>> ContentLibrary::open(Store& store, ContentStore& content_store,
                                                             Clock& clock, ContentLibraryOptions options) {
  ContentStore* content = &content_store;
  auto shipped = read_content_files(options.files_dir);
  if (!shipped) return shipped.error();
  const std::string shipped_digest = content_digest(*shipped);

  // Another instance opening at the same time may add a version between the
  // look at the newest and the addition (kAlreadyExists): look again.
  constexpr int kAttempts = 3;
  Result<std::optional<ContentVersion>> latest = std::optional<ContentVersion>();
  for (int attempt = 1;; ++attempt) {
    latest = content->latest_content_version();
    if (!latest) return latest.error();
    bool add_files = !latest->has_value();
    if (latest->has_value()) {
      // The newest version taken from files, and whether the studio published since.
      auto list = content->list_content_versions(kFilesScanLimit);
      if (!list) return list.error();
      std::optional<ContentVersion> from_files;
      bool studio_since = false;
      for (const ContentVersion& v : *list) {
        if (v.origin == "files") {
          from_files = v;
          break;
        }
        studio_since = true;
      }
      const bool files_changed = !from_files || from_files->digest != shipped_digest;
      if (files_changed && !studio_since) {
        add_files = true;
      } else if (files_changed) {
        log::warn("content.files_differ",
                  {{"content_dir", options.files_dir},
                   {"published_version", (*latest)->id},
                   {"hint", "gateway content import " + options.files_dir + " makes a draft of them"}});
      }
    }
    if (!add_files) break;
    ContentVersion v;
    v.at = clock.now();
    v.author = "gateway";
    v.origin = "files";
    v.message = latest->has_value() ? "content files changed" : "the content shipped with the gateway";
    v.digest = shipped_digest;
    const int64_t expected = latest->has_value() ? (*latest)->id : 0;
    auto id = content->add_content_version(v, *shipped, expected);
    if (id) {
      log::info("content.version_from_files", {{"version", *id}, {"content_dir", options.files_dir}});
      break;
    }
    if (id.error().code != ErrorCode::kAlreadyExists || attempt == kAttempts) return id.error();
  }
  latest = content->latest_content_version();
  if (!latest) return latest.error();
  if (!latest->has_value()) return Error::internal("no content version after adding one");
  auto files = content->content_version_files((*latest)->id);
  if (!files) return files.error();
  auto copy = MaterializedContent::create(*files);
  if (!copy) return copy.error();
  std::unique_ptr<ContentLibrary> lib(
      new ContentLibrary(store, *content, clock, std::move(options), std::move(*copy)));
  if (Status s = lib->install((*latest)->id, std::make_shared<const ContentFiles>(std::move(*files))); !s)
    return s.error();
  return lib;
}

Status ContentLibrary::install(int64_t id, std::shared_ptr<const ContentFiles> files) {
  auto loaded = load_live_content(published_copy_.dir(), id, options_.load);
  if (!loaded) {
    std::string msg = loaded.error().message;
    if (msg.find('\n') != std::string::npos) msg = msg.substr(0, msg.find('\n'));
    return Error::invalid("content version " + std::to_string(id) + ": " + msg);
  }
  if (live_) {
    live_->replace(*loaded);
  } else {
    live_ = std::make_unique<LiveContent>(*loaded);
  }
  std::lock_guard lock(mu_);
  published_version_ = id;
  published_files_ = std::move(files);
  published_entries_.reset();
  draft_.reset();
  return {};
}

int64_t ContentLibrary::published_version() const {
  std::lock_guard lock(mu_);
  return published_version_;
}

std::shared_ptr<const ContentFiles> ContentLibrary::published_files() const {
  std::lock_guard lock(mu_);
  return published_files_;
}

Status ContentLibrary::refresh() {
  std::lock_guard publishing(publish_mu_);
  auto latest = content_.latest_content_version();
  if (!latest) return latest.error();
  if (!latest->has_value() || (*latest)->id == published_version()) return {};
  auto files = content_.content_version_files((*latest)->id);
  if (!files) return files.error();
  auto before = published_files();
  if (Status s = write_content_files(*files, published_copy_.dir()); !s) return s;
  remove_stale(*before, *files, published_copy_.dir());
  if (Status s = install((*latest)->id, std::make_shared<const ContentFiles>(std::move(*files))); !s)
    return s;
  log::info("content.version_loaded", {{"version", (*latest)->id}});
  return {};
}

Result<std::shared_ptr<const ContentEntries>> ContentLibrary::published_entries() {
  std::shared_ptr<const ContentFiles> files;
  {
    std::lock_guard lock(mu_);
    if (published_entries_) return published_entries_;
    files = published_files_;
  }
  auto entries = content_entries(*files);
  if (!entries) return entries.error();
  auto shared = std::make_shared<const ContentEntries>(std::move(*entries));
  std::lock_guard lock(mu_);
  if (published_files_ == files) published_entries_ = shared;
  return shared;
}

Result<std::shared_ptr<const ContentLibrary::Draft>> ContentLibrary::draft() {
  auto listed = content_.list_draft_entries();
  if (!listed) return listed.error();
  {
    std::lock_guard lock(mu_);
    if (draft_ && draft_->base_version == published_version_) {
      // Still the same edits?
      bool same = draft_->revisions.size() == listed->size();
      for (size_t i = 0; same && i < listed->size(); ++i) {
        auto r = draft_->revisions.find((*listed)[i].entry);
        same = r != draft_->revisions.end() && r->second.revision == (*listed)[i].revision &&
               r->second.in_draft == (*listed)[i].in_draft;
      }
      if (same) return draft_;
    }
  }
  return compose();
}

Result<std::shared_ptr<const ContentLibrary::Draft>> ContentLibrary::compose() {
  auto listed = content_.list_draft_entries();
  if (!listed) return listed.error();
  static std::atomic<uint64_t> serials{0};
  auto d = std::make_shared<Draft>();
  d->serial = ++serials;
  std::shared_ptr<const ContentFiles> base;
  {
    std::lock_guard lock(mu_);
    d->base_version = published_version_;
    base = published_files_;
  }
  Overlay overlay;
  for (const DraftEntry& e : *listed) {
    d->revisions[e.entry] = e;
    if (!e.in_draft) continue;
    d->edits.push_back(e);
    if (e.value_json) {
      try {
        overlay[e.entry] = ojson::parse(*e.value_json);
      } catch (const std::exception&) {
        return Error::internal("draft entry " + e.entry + " holds invalid JSON");
      }
    } else {
      overlay[e.entry] = std::nullopt;
    }
  }
  auto files = apply_overlay(*base, overlay);
  if (!files) {
    // After a rollback an edit may no longer apply (its node or key is gone):
    // the published content stands as the draft, and the studio says why.
    d->compose_error = files.error().message;
    d->files = base;
  } else {
    d->files = std::make_shared<const ContentFiles>(std::move(*files));
  }
  auto entries = content_entries(*d->files);
  if (!entries) return entries.error();
  d->entries = std::move(*entries);
  std::lock_guard lock(mu_);
  if (d->base_version == published_version_) draft_ = d;
  return std::shared_ptr<const Draft>(d);
}

Result<CheckReport> ContentLibrary::check_draft() {
  auto d = draft();
  if (!d) return d.error();
  {
    std::lock_guard lock(mu_);
    if (checked_draft_ == *d && checked_report_) return *checked_report_;
  }
  auto copy = MaterializedContent::create(*(*d)->files);
  if (!copy) return copy.error();
  CheckReport report = check_everything(copy->dir());
  if (!(*d)->compose_error.empty()) {
    report.findings.insert(
        report.findings.begin(),
        CheckFinding{Severity::kError, "", "", (*d)->compose_error, "draft: error: " + (*d)->compose_error});
    ++report.errors;
  }
  std::lock_guard lock(mu_);
  checked_draft_ = *d;
  checked_report_ = std::make_shared<const CheckReport>(report);
  return report;
}

Result<std::vector<ContentChange>> ContentLibrary::draft_changes() {
  auto d = draft();
  if (!d) return d.error();
  return changes_of(**d);
}

Result<std::vector<ContentChange>> ContentLibrary::changes_of(const Draft& d) {
  auto published = published_entries();
  if (!published) return published.error();
  return to_changes(diff_entries(**published, d.entries), &d.revisions);
}

Result<int64_t> ContentLibrary::save(const std::string& entry, const std::optional<ojson>& value,
                                     int64_t base_revision, const Editor& who, const std::string& action) {
  auto saved = save_all({Edit{entry, value, base_revision}}, who, action);
  if (!saved) return saved.error();
  return saved->front();
}

Result<std::vector<int64_t>> ContentLibrary::save_all(const std::vector<Edit>& edits, const Editor& who,
                                                      const std::string& action) {
  if (edits.empty()) return std::vector<int64_t>{};
  if (edits.size() > kMaxOverlayEntries) return Error::invalid("too many entries in one save");
  auto d = draft();
  if (!d) return d.error();
  // The edits must apply on top of the draft as it is.
  Overlay overlay;
  for (const Edit& e : edits) overlay[e.entry] = e.value;
  if (auto applied = apply_overlay(*(*d)->files, overlay); !applied)
    return Error::invalid(applied.error().message);
  std::vector<int64_t> revisions;
  Status s = store_.in_transaction([&]() -> Status {
    revisions.clear();
    for (const Edit& e : edits) {
      auto r = content_.put_draft_entry(e.entry,
                                        e.value ? std::optional<std::string>(e.value->dump()) : std::nullopt,
                                        e.base_revision, who.account_id, who.username, clock_.now());
      if (!r) return r.error();
      revisions.push_back(*r);
    }
    return {};
  });
  if (!s) return s.error();
  nlohmann::json entries = nlohmann::json::array();
  for (size_t i = 0; i < edits.size(); ++i) {
    entries.push_back({{"entry", edits[i].entry}, {"revision", revisions[i]}, {"removed", !edits[i].value}});
  }
  audit(who, action, edits.size() == 1 ? edits.front().entry : "draft", {{"entries", entries}});
  return revisions;
}

Status ContentLibrary::discard(const std::vector<std::string>& entries, const Editor& who) {
  if (Status s = content_.clear_draft_entries(entries); !s) return s;
  audit(who, "content.discard", entries.empty() ? "draft" : "draft:" + std::to_string(entries.size()),
        {{"entries", entries}});
  return {};
}

Result<int> ContentLibrary::import_files(const ContentFiles& files, const Editor& who) {
  auto incoming = content_entries(files);
  if (!incoming) return incoming.error();
  auto d = draft();
  if (!d) return d.error();
  const std::vector<EntryChange> diff = diff_entries((*d)->entries, *incoming);
  // Applied all together first: an import that does not apply changes nothing.
  Overlay overlay;
  for (const EntryChange& c : diff) overlay[c.entry] = c.after;
  if (auto applied = apply_overlay(*(*d)->files, overlay); !applied)
    return Error::invalid(applied.error().message);
  int saved = 0;
  Status s = store_.in_transaction([&]() -> Status {
    saved = 0;
    for (const EntryChange& c : diff) {
      auto r = content_.put_draft_entry(
          c.entry, c.after ? std::optional<std::string>(c.after->dump()) : std::nullopt,
          (*d)->revision_of(c.entry), who.account_id, who.username, clock_.now());
      if (!r) return r.error();
      ++saved;
    }
    return {};
  });
  if (!s) return s.error();
  audit(who, "content.import", "draft", {{"entries", saved}});
  return saved;
}

std::optional<ContentLibrary::PublishRefusal> ContentLibrary::refusal(
    const Editor& who, const Draft& d, const std::vector<ContentChange>& changes) {
  auto refuse = [](std::string code, std::string msg) {
    return PublishRefusal{std::move(code), std::move(msg), {}, {}};
  };
  if (!who.may_publish())
    return refuse("forbidden", "publishing needs a supervisor, an admin or an editor with review rights");
  if (!d.compose_error.empty()) return refuse("check_failed", d.compose_error);
  if (d.edits.empty() || changes.empty())
    return refuse("empty_draft", "the draft changes nothing against the published version");
  if (options_.publish_requires_second_person) {
    PublishRefusal r =
        refuse("four_eyes", "a second person must publish what " + who.username + " edited last");
    for (const DraftEntry& e : d.edits) {
      if (e.author == who.username) r.entries.push_back(e.entry);
    }
    if (!r.entries.empty()) return r;
  }
  // Nothing unchecked reaches a person: a template that states facts and whose
  // text changed needs its facts marked reviewed again.
  PublishRefusal facts =
      refuse("facts_not_reviewed", "changed texts that state facts need their facts reviewed");
  for (const ContentChange& c : changes) {
    if (c.entry.rfind("template:", 0) != 0 || !c.after) continue;
    const ojson& after = *c.after;
    if (after.value("source", std::string()).empty()) continue;
    const bool text_changed =
        !c.before || c.before->value("text", std::string()) != after.value("text", std::string());
    if (text_changed && !after.value("reviewed", false)) facts.entries.push_back(c.entry);
  }
  if (!facts.entries.empty()) return facts;
  return std::nullopt;
}

Result<std::optional<ContentLibrary::PublishRefusal>> ContentLibrary::publish_refusal(
    const Editor& who, const CheckReport& report) {
  auto d = draft();
  if (!d) return d.error();
  auto changes = changes_of(**d);
  if (!changes) return changes.error();
  if (auto r = refusal(who, **d, *changes)) return r;
  if (report.errors > 0) {
    PublishRefusal r{"check_failed", std::to_string(report.errors) + " error(s) in the draft", {}, {}};
    for (const CheckFinding& f : report.findings) {
      if (f.severity == Severity::kError) r.findings.push_back(f);
    }
    return std::optional<PublishRefusal>(r);
  }
  return std::optional<PublishRefusal>();
}

Result<ContentLibrary::Published> ContentLibrary::publish(const Editor& who, const std::string& message) {
  if (message.size() > 2000) return Error::invalid("the message is longer than 2000 bytes");
  std::lock_guard publishing(publish_mu_);
  auto d = draft();
  if (!d) return d.error();
  auto changes = changes_of(**d);
  if (!changes) return changes.error();
  Published p;
  p.refused = refusal(who, **d, *changes);
  if (p.refused) return p;
  auto copy = MaterializedContent::create(*(*d)->files);
  if (!copy) return copy.error();
  CheckReport report = check_everything(copy->dir());
  if (report.errors > 0) {
    p.refused =
        PublishRefusal{"check_failed", std::to_string(report.errors) + " error(s) in the draft", {}, {}};
    for (const CheckFinding& f : report.findings) {
      if (f.severity == Severity::kError) p.refused->findings.push_back(f);
    }
    return p;
  }
  return add_version(who, "publish", message, std::nullopt, (*d)->files, (*d)->base_version, *changes,
                     (*d)->edits);
}

Result<ContentLibrary::Published> ContentLibrary::rollback(int64_t version, const Editor& who,
                                                           const std::string& message) {
  if (!who.may_publish()) {
    Published p;
    p.refused = PublishRefusal{"forbidden", "rolling back needs the right to publish", {}, {}};
    return p;
  }
  if (message.size() > 2000) return Error::invalid("the message is longer than 2000 bytes");
  std::lock_guard publishing(publish_mu_);
  auto files = content_.content_version_files(version);
  if (!files) return files.error();
  auto shared = std::make_shared<const ContentFiles>(std::move(*files));
  auto target = content_entries(*shared);
  if (!target) return target.error();
  auto published = published_entries();
  if (!published) return published.error();
  const std::vector<ContentChange> changes = to_changes(diff_entries(**published, *target), nullptr);
  std::vector<std::string> touched;
  for (const ContentChange& c : changes) touched.push_back(c.entry);
  const int64_t base = published_version();
  auto out = add_version(who, "rollback",
                         message.empty() ? "rollback to version " + std::to_string(version) : message,
                         version, shared, base, changes, {});
  if (out && !out->refused && !touched.empty()) {
    if (Status s = content_.touch_entries(touched, who.account_id, who.username, clock_.now()); !s)
      log::warn("content.touch_failed", {{"error", s.error().to_string()}});
  }
  return out;
}

Result<ContentLibrary::Published> ContentLibrary::add_version(
    const Editor& who, const std::string& origin, const std::string& message,
    std::optional<int64_t> rollback_of, std::shared_ptr<const ContentFiles> files, int64_t expected_base,
    const std::vector<ContentChange>& changes, const std::vector<DraftEntry>& published_edits) {
  // Loaded before it is stored: a version that does not load is never published.
  auto check_copy = MaterializedContent::create(*files);
  if (!check_copy) return check_copy.error();
  auto loadable = load_live_content(check_copy->dir(), 0, options_.load);
  if (!loadable) return Error::invalid("the content does not load: " + loadable.error().message);

  ContentVersion v;
  v.at = clock_.now();
  v.account_id = who.account_id;
  v.author = who.username;
  v.message = message;
  v.origin = origin;
  v.rollback_of = rollback_of;
  v.digest = content_digest(*files);
  v.changes = static_cast<int>(changes.size());
  v.changes_json = changes_json(changes);
  int64_t id = 0;
  bool conflict = false;
  Status s = store_.in_transaction([&]() -> Status {
    conflict = false;
    auto added = content_.add_content_version(v, *files, expected_base);
    if (!added) {
      conflict = added.error().code == ErrorCode::kAlreadyExists;
      return added.error();
    }
    id = *added;
    if (!published_edits.empty()) {
      // Only the edits that were published: one saved meanwhile stays in the draft.
      auto now = content_.list_draft_entries();
      if (!now) return now.error();
      std::map<std::string, int64_t> current;
      for (const DraftEntry& e : *now) current[e.entry] = e.in_draft ? e.revision : -1;
      std::vector<std::string> done;
      for (const DraftEntry& e : published_edits) {
        if (current[e.entry] != e.revision) {
          conflict = true;
          return Error::exists(e.entry + " was edited while publishing");
        }
        done.push_back(e.entry);
      }
      if (Status c = content_.clear_draft_entries(done); !c) return c;
    }
    return {};
  });
  if (!s) {
    if (conflict) {
      Published p;
      p.refused =
          PublishRefusal{"conflict", s.error().message + "; look at the draft again and retry", {}, {}};
      return p;
    }
    return s.error();
  }
  // Live at once: the copy on disk first (the simulator reads it), then the gateway.
  auto before = published_files();
  if (Status w = write_content_files(*files, published_copy_.dir()); !w) return w.error();
  remove_stale(*before, *files, published_copy_.dir());
  if (Status i = install(id, files); !i) return i.error();
  audit(who, origin == "rollback" ? "content.rollback" : "content.publish",
        "content_version:" + std::to_string(id),
        {{"changes", changes.size()}, {"rollback_of", rollback_of ? ojson(*rollback_of) : ojson(nullptr)}});
  log::info("content.published", {{"version", id}, {"origin", origin}, {"changes", changes.size()}});
  Published p;
  p.version = id;
  return p;
}

Result<std::vector<ContentVersion>> ContentLibrary::versions(int limit) {
  return content_.list_content_versions(limit);
}

Result<std::optional<ContentVersion>> ContentLibrary::version(int64_t id) {
  return content_.get_content_version(id);
}

void ContentLibrary::audit(const Editor& who, const std::string& action, const std::string& subject,
                           const nlohmann::json& detail) {
  AuditEntry e;
  e.at = clock_.now();
  e.actor = who.actor();
  e.action = action;
  e.subject = subject;
  nlohmann::json d = detail;
  d["by"] = who.username;
  e.detail_json = d.dump();
  if (Status s = store_.append_audit(e); !s)
    log::error("audit.append_failed", {{"action", action}, {"error", s.error().to_string()}});
}

}  // namespace gw
