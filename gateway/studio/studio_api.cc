#include "gateway/studio/studio_api.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "gateway/content/discretion.h"
#include "gateway/content/flow_files.h"
#include "gateway/content/flow_graph.h"
#include "gateway/content/flow_json.h"
#include "gateway/content/icu_message.h"
#include "gateway/content/languages.h"
#include "gateway/content/message_check.h"
#include "gateway/content/po_upload.h"
#include "gateway/content/text_check.h"
#include "gateway/conversations/simulator_content.h"
#include "gateway/core/ids.h"
#include "gateway/core/log.h"
#include "gateway/engine/flow_check.h"
#include "gateway/engine/flow_parser.h"

namespace gw {
namespace {

// Content objects keep the order of their members (as in the files) in every
// answer and every request, so that a save changes only what was edited.
using json = nlohmann::ordered_json;
using ojson = nlohmann::ordered_json;

void send(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

const std::vector<std::string> kStudioRoles = {"editor", "supervisor", "admin"};
constexpr size_t kMaxListItems = 5000;

std::string area_of(const std::string& key) {
  return key.substr(0, key.find('.'));
}

bool plain_segment(const std::string& s, size_t max = 200) {
  if (s.empty() || s.size() > max) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '#';
  });
}

json change_json(const ContentChange& c) {
  json j = {{"entry", c.entry}};
  j["before"] = c.before ? json::parse(c.before->dump()) : json(nullptr);
  j["after"] = c.after ? json::parse(c.after->dump()) : json(nullptr);
  if (!c.by.empty()) j["by"] = c.by;
  if (c.at != TimePoint{}) j["at"] = format_rfc3339(c.at);
  return j;
}

json version_json(const ContentVersion& v) {
  json j = {{"id", v.id},           {"at", format_rfc3339(v.at)}, {"by", v.author},
            {"message", v.message}, {"origin", v.origin},         {"changes", v.changes}};
  j["rollback_of"] = v.rollback_of ? json(*v.rollback_of) : json(nullptr);
  return j;
}

json finding_json(const CheckFinding& f) {
  return {{"severity", severity_name(f.severity)},
          {"file", f.file},
          {"location", f.location},
          {"message", f.message},
          {"line", f.line}};
}

std::optional<json> parse_body(const httplib::Request& req, httplib::Response& res) {
  json body = json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    http::send_json_error(res, 400, "invalid_request", "the body must be a JSON object");
    return std::nullopt;
  }
  return body;
}

// A whole number field (default `fallback` when absent); nullopt and a 400 when wrong.
std::optional<int64_t> int_field(const json& body, const char* name, httplib::Response& res,
                                 int64_t fallback = 0) {
  if (!body.contains(name)) return fallback;
  if (!body[name].is_number_integer() || body[name].get<int64_t>() < 0) {
    http::send_json_error(res, 400, "invalid_request",
                          std::string("\"") + name + "\" must be a whole number");
    return std::nullopt;
  }
  return body[name].get<int64_t>();
}

// The draft's flow files: flow id → (path, document).
std::map<std::string, std::pair<std::string, ojson>> flow_documents(const ContentFiles& files) {
  std::map<std::string, std::pair<std::string, ojson>> out;
  for (const auto& [path, bytes] : files) {
    if (path.rfind("flows/", 0) != 0 || path.find('/', 6) != std::string::npos) continue;
    if (path.size() < 5 || path.compare(path.size() - 5, 5, ".json") != 0) continue;
    if (path == "flows/schema.json" || path == "flows/globals.json") continue;
    ojson doc = ojson::parse(bytes, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("id") || !doc["id"].is_string()) continue;
    std::string id = doc["id"].get<std::string>();
    out[id] = {path, std::move(doc)};
  }
  return out;
}

// The text of template `key` in `lang`: its translation when there is one, else the source.
std::string text_in(const ContentEntries& entries, const std::string& key, const std::string& lang) {
  if (!lang.empty() && lang != "en") {
    auto t = entries.find("translation:" + lang + ":" + key);
    if (t != entries.end() && !t->second.value("msgstr", std::string()).empty())
      return t->second["msgstr"].get<std::string>();
  }
  auto s = entries.find("template:" + key);
  if (s != entries.end()) return s->second.value("text", std::string());
  return "";
}

// The files of one folder only (for loaders that read a directory).
ContentFiles folder(const ContentFiles& files, const std::string& prefix) {
  ContentFiles out;
  for (const auto& [path, bytes] : files) {
    if (path.rfind(prefix, 0) == 0) out[path] = bytes;
  }
  return out;
}

// The revision of a flow: the newest of its header's and its nodes'.
int64_t flow_revision(const ContentLibrary::Draft& d, const std::string& id) {
  int64_t rev = d.revision_of("flow:" + id);
  const std::string prefix = "node:" + id + "/";
  for (auto it = d.revisions.lower_bound(prefix); it != d.revisions.end() && it->first.rfind(prefix, 0) == 0;
       ++it) {
    rev = std::max(rev, it->second.revision);
  }
  return rev;
}

std::vector<std::string> sensitive_for(const StudioApi::DraftView& v, const std::string& lang) {
  std::string list;
  if (lang != "en") {
    auto t = v.draft->entries.find("translation:" + lang + ":" + std::string(kSensitiveWordsTemplate));
    if (t != v.draft->entries.end()) list = t->second.value("msgstr", std::string());
  }
  return sensitive_words(v.catalog, list);
}

TextReport check_one(const StudioApi::DraftView& v, const std::string& context, const std::string& lang,
                     const std::string& text) {
  TextCheckInput in;
  in.templates = &v.catalog;
  in.context = context;
  in.language = lang;
  in.text = text;
  in.sensitive = sensitive_for(v, lang);
  return check_text(in);
}

}  // namespace

StudioApi::StudioApi(StudioContext ctx) : ctx_(ctx) {}

void StudioApi::add_routes(http::HttpServer& server) {
  auto bind = [this](void (StudioApi::*fn)(const Req&, Res&)) {
    return [this, fn](const Req& req, Res& res) { (this->*fn)(req, res); };
  };
  const std::string key = "([A-Za-z0-9_.#-]{1,200})";
  const std::string lang = "([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?)";
  const std::string flow = "([A-Za-z0-9_-]{1,100})";
  server.get("/api/studio/me", "studio_me", bind(&StudioApi::me));
  server.get("/api/studio/templates", "studio_templates", bind(&StudioApi::list_templates));
  server.get("/api/studio/templates/" + key, "studio_template", bind(&StudioApi::get_template));
  server.post("/api/studio/templates/" + key, "studio_template_save", bind(&StudioApi::save_template));
  server.post("/api/studio/templates/" + key + "/review-facts", "studio_review_facts",
              bind(&StudioApi::review_facts));
  server.post("/api/studio/translations/" + lang + "/" + key, "studio_translation_save",
              bind(&StudioApi::save_translation));
  server.post("/api/studio/translations/" + lang + "/" + key + "/review", "studio_translation_review",
              bind(&StudioApi::review_translation));
  server.post("/api/studio/check", "studio_check", bind(&StudioApi::check));
  server.get("/api/studio/flows", "studio_flows", bind(&StudioApi::list_flows));
  server.get("/api/studio/flows/" + flow, "studio_flow", bind(&StudioApi::get_flow));
  server.get("/api/studio/flows/" + flow + "/graph\\.svg", "studio_flow_graph", bind(&StudioApi::flow_graph));
  server.post("/api/studio/flows/" + flow, "studio_flow_save", bind(&StudioApi::save_flow));
  server.get("/api/studio/draft", "studio_draft", bind(&StudioApi::get_draft));
  server.post("/api/studio/draft/discard", "studio_discard", bind(&StudioApi::discard));
  server.post("/api/studio/simulate", "studio_simulate", bind(&StudioApi::simulate));
  server.post("/api/studio/publish", "studio_publish", bind(&StudioApi::publish));
  server.get("/api/studio/versions", "studio_versions", bind(&StudioApi::list_versions));
  server.get("/api/studio/versions/([0-9]{1,18})", "studio_version", bind(&StudioApi::get_version));
  server.post("/api/studio/versions/([0-9]{1,18})/rollback", "studio_rollback", bind(&StudioApi::rollback));
  server.get("/api/studio/po/" + lang, "studio_po_download", bind(&StudioApi::download_po));
  server.post("/api/studio/po/" + lang, "studio_po_upload", bind(&StudioApi::upload_po));
}

std::optional<Editor> StudioApi::editor(const Req& req, Res& res) {
  auto p = ctx_.auth.require(req, res, kStudioRoles);
  if (!p) return std::nullopt;
  Editor e;
  e.account_id = p->account_id;
  e.username = p->username;
  e.role = p->role;
  auto account = ctx_.store.get_account(p->account_id);
  if (!account) {
    http::send_json_error(res, 503, "unavailable", "try again shortly");
    return std::nullopt;
  }
  e.reviewer = account->has_value() && (*account)->reviewer;
  return e;
}

std::optional<StudioApi::SaveCall> StudioApi::begin_save(const Req& req, Res& res) {
  auto who = editor(req, res);
  if (!who) return std::nullopt;
  auto body = parse_body(req, res);
  if (!body) return std::nullopt;
  auto base = int_field(*body, "base_revision", res);
  if (!base) return std::nullopt;
  return SaveCall{std::move(*who), std::move(*body), *base};
}

std::shared_ptr<const StudioApi::DraftView> StudioApi::view(Res& res) {
  auto d = ctx_.library.draft();
  if (!d) {
    log::error("studio.draft_failed", {{"error", d.error().to_string()}});
    http::send_json_error(res, 503, "unavailable", "the draft could not be read; try again shortly");
    return nullptr;
  }
  {
    std::lock_guard lock(view_mu_);
    if (view_ && view_->draft == *d) return view_;
  }
  auto v = std::make_shared<DraftView>();
  v->draft = *d;
  std::set<std::string> langs;
  for (const auto& [entry, value] : v->draft->entries) {
    if (entry.rfind("translation:", 0) != 0) continue;
    const size_t colon = entry.find(':', 12);
    if (colon != std::string::npos) langs.insert(entry.substr(12, colon - 12));
  }
  v->languages.assign(langs.begin(), langs.end());
  auto templates = MaterializedContent::create(folder(*v->draft->files, "templates/"));
  if (!templates) {
    http::send_json_error(res, 503, "unavailable", "the draft could not be read; try again shortly");
    return nullptr;
  }
  std::vector<TemplateProblem> ignored;  // the draft's checks report them
  v->catalog = TemplateCatalog::load_collecting(templates->dir() + "/templates", &ignored);
  std::lock_guard lock(view_mu_);
  view_ = v;
  return v;
}

void StudioApi::me(const Req& req, Res& res) {
  auto who = editor(req, res);
  if (!who) return;
  send(res, 200,
       {{"username", who->username},
        {"role", who->role},
        {"reviewer", who->reviewer},
        {"can_publish", who->may_publish()},
        {"four_eyes", ctx_.library.four_eyes()},
        {"published_version", ctx_.library.published_version()}});
}

void StudioApi::list_templates(const Req& req, Res& res) {
  if (!editor(req, res)) return;
  auto v = view(res);
  if (!v) return;
  const std::string area = req.get_param_value("area");
  const std::string lang = req.get_param_value("lang");
  const std::string state = req.get_param_value("state");
  const std::string facts = req.get_param_value("facts");
  std::string q = req.get_param_value("q");
  if (q.size() > 200) return http::send_json_error(res, 400, "invalid_request", "q is longer than 200 bytes");
  std::transform(q.begin(), q.end(), q.begin(), [](unsigned char c) { return std::tolower(c); });
  std::set<std::string> edited;  // keys with an edit in the draft
  for (const DraftEntry& e : v->draft->edits) {
    const std::string& id = e.entry;
    if (id.rfind("template:", 0) == 0) edited.insert(id.substr(9));
    if (id.rfind("translation:", 0) == 0) {
      const size_t colon = id.find(':', 12);
      if (colon != std::string::npos) edited.insert(id.substr(colon + 1, id.find('#', colon) - colon - 1));
    }
  }
  json items = json::array();
  std::set<std::string> areas;
  for (const auto& [entry, value] : v->draft->entries) {
    if (entry.rfind("template:", 0) != 0) continue;
    const std::string key = entry.substr(9);
    areas.insert(area_of(key));
    json states = json::object();
    for (const std::string& l : v->languages) {
      auto t = v->draft->entries.find("translation:" + l + ":" + key);
      if (t == v->draft->entries.end()) continue;
      const bool empty = t->second.value("msgstr", std::string()).empty();
      states[l] = empty ? "untranslated" : t->second.value("fuzzy", false) ? "fuzzy" : "reviewed";
    }
    const bool has_facts = !value.value("source", std::string()).empty();
    const bool facts_reviewed = value.value("reviewed", false);
    const std::string text = value.value("text", std::string());
    if (!area.empty() && area_of(key) != area) continue;
    if (!lang.empty() && !states.contains(lang)) continue;
    if (!state.empty()) {
      const bool match = !lang.empty() ? states.value(lang, std::string()) == state
                                       : std::any_of(states.begin(), states.end(), [&](const json& s) {
                                           return s.get<std::string>() == state;
                                         });
      if (!match) continue;
    }
    if (facts == "unreviewed" && !(has_facts && !facts_reviewed)) continue;
    if (!q.empty()) {
      std::string hay = key + "\n" + text;
      std::transform(hay.begin(), hay.end(), hay.begin(), [](unsigned char c) { return std::tolower(c); });
      if (hay.find(q) == std::string::npos) continue;
    }
    if (items.size() >= kMaxListItems) break;
    items.push_back({{"key", key},
                     {"area", area_of(key)},
                     {"text", text},
                     {"has_facts", has_facts},
                     {"facts_reviewed", facts_reviewed},
                     {"states", states},
                     {"in_draft", edited.count(key) > 0}});
  }
  json languages = json::array();
  for (const std::string& l : v->languages) {
    const LanguageName n = language_name(l);
    languages.push_back({{"code", l}, {"name", n.english}, {"native", n.native}, {"rtl", is_rtl(l)}});
  }
  send(res, 200, {{"languages", languages}, {"areas", areas}, {"items", items}});
}

void StudioApi::get_template(const Req& req, Res& res) {
  if (!editor(req, res)) return;
  auto v = view(res);
  if (!v) return;
  const std::string key = req.matches[1];
  const ContentLibrary::Draft& d = *v->draft;
  auto t = d.entries.find("template:" + key);
  if (t == d.entries.end()) return http::send_json_error(res, 404, "not_found", "no template " + key);
  auto last_editor = [&d](const std::string& entry) -> json {
    auto r = d.revisions.find(entry);
    if (r == d.revisions.end()) return nullptr;
    return {{"by", r->second.author},
            {"at", format_rfc3339(r->second.updated_at)},
            {"in_draft", r->second.in_draft}};
  };
  json translations = json::object();
  json variants = json::object();
  for (const std::string& l : v->languages) {
    const std::string prefix = "translation:" + l + ":" + key;
    for (auto it = d.entries.lower_bound(prefix); it != d.entries.end() && it->first.rfind(prefix, 0) == 0;
         ++it) {
      const std::string ctx = it->first.substr(12 + l.size() + 1);
      if (ctx != key && ctx.rfind(key + "#", 0) != 0) continue;
      const bool empty = it->second.value("msgstr", std::string()).empty();
      json item = {{"msgctxt", ctx},
                   {"msgstr", it->second.value("msgstr", std::string())},
                   {"fuzzy", it->second.value("fuzzy", false)},
                   {"state", empty                              ? "untranslated"
                             : it->second.value("fuzzy", false) ? "fuzzy"
                                                                : "reviewed"},
                   {"rtl", is_rtl(l)},
                   {"revision", d.revision_of(it->first)},
                   {"last_editor", last_editor(it->first)}};
      if (ctx == key) {
        item["plural_categories"] = plural_categories(l);
        const LanguageName n = language_name(l);
        item["name"] = n.english;
        item["native"] = n.native;
        translations[l] = item;
      } else {
        variants[l][ctx.substr(key.size() + 1)] = item;
      }
    }
  }
  send(res, 200,
       {{"key", key},
        {"area", area_of(key)},
        {"revision", d.revision_of("template:" + key)},
        {"source", json::parse(t->second.dump())},
        {"last_editor", last_editor("template:" + key)},
        {"translations", translations},
        {"variants", variants}});
}

void StudioApi::conflict(Res& res, const std::string& entry, const json& current_override) {
  auto d = ctx_.library.draft();
  json body = {{"error", "conflict"}, {"message", "someone else saved this meanwhile"}, {"entry", entry}};
  if (d) {
    auto r = (*d)->revisions.find(entry);
    if (r != (*d)->revisions.end()) {
      body["by"] = r->second.author;
      body["at"] = format_rfc3339(r->second.updated_at);
      body["revision"] = r->second.revision;
    }
    if (!current_override.is_null()) {
      body["current"] = current_override;
    } else {
      auto e = (*d)->entries.find(entry);
      body["current"] = e == (*d)->entries.end() ? json(nullptr) : json::parse(e->second.dump());
    }
  }
  send(res, 409, body);
}

void StudioApi::saved_or_error(Res& res, const Result<int64_t>& saved, const std::string& entry,
                               const json& extra) {
  if (!saved) {
    if (saved.error().code == ErrorCode::kAlreadyExists) return conflict(res, entry);
    if (saved.error().code == ErrorCode::kInvalidArgument || saved.error().code == ErrorCode::kNotFound)
      return send(res, 400,
                  {{"error", "invalid"},
                   {"message", saved.error().message},
                   {"problems", json::array({{{"severity", "error"}, {"message", saved.error().message}}})}});
    log::error("studio.save_failed", {{"entry", entry}, {"error", saved.error().to_string()}});
    return http::send_json_error(res, 503, "unavailable", "the draft could not be saved; try again shortly");
  }
  json body = extra;
  body["revision"] = *saved;
  send(res, 200, body);
}

void StudioApi::save_template(const Req& req, Res& res) {
  auto call = begin_save(req, res);
  if (!call) return;
  const Editor* who = &call->who;
  json* body = &call->body;
  const int64_t* base = &call->base;
  auto v = view(res);
  if (!v) return;
  const std::string key = req.matches[1];
  if (key.find('#') != std::string::npos)
    return http::send_json_error(res, 400, "invalid_request", "a template key has no #");
  if (!body->contains("source") || !(*body)["source"].is_object())
    return http::send_json_error(res, 400, "invalid_request", "\"source\" must be the template object");
  ojson source = ojson::parse((*body)["source"].dump());
  json problems = json::array();
  for (const std::string& p : TemplateCatalog::check_template(nlohmann::json::parse(source.dump())))
    problems.push_back({{"severity", "error"}, {"message", p}});
  const std::string text = source.value("text", std::string());
  if (text.size() > kMaxCheckedTextBytes)
    problems.push_back({{"severity", "error"}, {"message", "the text is too long"}});
  if (problems.empty() && !source.value("keywords", false)) {
    if (Status s = check_message_syntax(text); !s)
      problems.push_back({{"severity", "error"}, {"message", "invalid ICU message: " + s.error().message}});
    if (source.contains("variants")) {
      for (const auto& [channel, variant] : source["variants"].items()) {
        if (Status s = check_message_syntax(variant.get<std::string>()); !s)
          problems.push_back(
              {{"severity", "error"},
               {"message", "variant " + channel + ": invalid ICU message: " + s.error().message}});
      }
    }
  }
  if (!problems.empty()) return send(res, 400, {{"error", "invalid"}, {"problems", problems}});
  // A changed text that states facts needs its facts reviewed again.
  auto current = v->draft->entries.find("template:" + key);
  if (current != v->draft->entries.end() && !source.value("source", std::string()).empty() &&
      current->second.value("text", std::string()) != text) {
    source["reviewed"] = false;
    source.erase("reviewed_by");
    source.erase("reviewed_at");
  }
  saved_or_error(res, ctx_.library.save("template:" + key, source, *base, *who), "template:" + key);
}

void StudioApi::review_facts(const Req& req, Res& res) {
  auto call = begin_save(req, res);
  if (!call) return;
  if (!call->who.may_publish())
    return http::send_json_error(
        res, 403, "forbidden",
        "marking facts reviewed needs review rights (a reviewer, supervisor or admin)");
  const Editor* who = &call->who;
  const int64_t* base = &call->base;
  auto v = view(res);
  if (!v) return;
  const std::string key = req.matches[1];
  auto current = v->draft->entries.find("template:" + key);
  if (current == v->draft->entries.end())
    return http::send_json_error(res, 404, "not_found", "no template " + key);
  if (current->second.value("source", std::string()).empty())
    return http::send_json_error(res, 400, "no_facts", key + " names no source of facts to review");
  ojson source = current->second;
  source["reviewed"] = true;
  source["reviewed_by"] = who->username;
  source["reviewed_at"] = format_rfc3339(ctx_.clock.now());
  saved_or_error(res, ctx_.library.save("template:" + key, source, *base, *who, "content.review_facts"),
                 "template:" + key,
                 {{"reviewed_by", who->username}, {"reviewed_at", source["reviewed_at"].get<std::string>()}});
}

void StudioApi::save_translation(const Req& req, Res& res) {
  auto call = begin_save(req, res);
  if (!call) return;
  const Editor* who = &call->who;
  json* body = &call->body;
  const int64_t* base = &call->base;
  if (!body->contains("msgstr") || !(*body)["msgstr"].is_string())
    return http::send_json_error(res, 400, "invalid_request", "\"msgstr\" must be a string");
  if (body->contains("fuzzy") && !(*body)["fuzzy"].is_boolean())
    return http::send_json_error(res, 400, "invalid_request", "\"fuzzy\" must be true or false");
  auto v = view(res);
  if (!v) return;
  const std::string lang = req.matches[1];
  const std::string ctx = req.matches[2];
  const std::string entry = "translation:" + lang + ":" + ctx;
  if (!v->draft->entries.count(entry))
    return http::send_json_error(res, 404, "not_found", "no message " + ctx + " in " + lang);
  const std::string msgstr = (*body)["msgstr"].get<std::string>();
  json report = nullptr;
  if (!msgstr.empty()) {
    TextReport r = check_one(*v, ctx, lang, msgstr);
    report = r.to_json();
    if (r.errors() > 0) {
      json problems = json::array();
      for (const TextProblem& p : r.problems)
        if (p.severity == Severity::kError)
          problems.push_back({{"severity", "error"}, {"code", p.code}, {"message", p.message}});
      return send(res, 400, {{"error", "invalid"}, {"problems", problems}, {"report", report}});
    }
  }
  ojson value = {{"msgstr", msgstr}, {"fuzzy", body->value("fuzzy", false)}};
  saved_or_error(res, ctx_.library.save(entry, value, *base, *who), entry, {{"report", report}});
}

void StudioApi::review_translation(const Req& req, Res& res) {
  auto call = begin_save(req, res);
  if (!call) return;
  const Editor* who = &call->who;
  const int64_t* base = &call->base;
  auto v = view(res);
  if (!v) return;
  const std::string lang = req.matches[1];
  const std::string ctx = req.matches[2];
  const std::string entry = "translation:" + lang + ":" + ctx;
  auto current = v->draft->entries.find(entry);
  if (current == v->draft->entries.end())
    return http::send_json_error(res, 404, "not_found", "no message " + ctx + " in " + lang);
  const std::string msgstr = current->second.value("msgstr", std::string());
  if (msgstr.empty())
    return http::send_json_error(res, 400, "untranslated", "there is no translation to review yet");
  TextReport r = check_one(*v, ctx, lang, msgstr);
  if (r.errors() > 0)
    return send(res, 400,
                {{"error", "invalid"},
                 {"message", "fix the errors before marking it reviewed"},
                 {"report", r.to_json()}});
  ojson value = {{"msgstr", msgstr}, {"fuzzy", false}};
  saved_or_error(res, ctx_.library.save(entry, value, *base, *who, "content.review"), entry);
}

void StudioApi::check(const Req& req, Res& res) {
  if (!editor(req, res)) return;
  auto body = parse_body(req, res);
  if (!body) return;
  if (!body->contains("key") || !(*body)["key"].is_string() || !body->contains("text") ||
      !(*body)["text"].is_string())
    return http::send_json_error(res, 400, "invalid_request", "\"key\" and \"text\" must be strings");
  const std::string key = (*body)["key"].get<std::string>();
  const std::string lang = body->value("lang", std::string("en"));
  if (!plain_segment(key) || !plain_segment(lang, 16))
    return http::send_json_error(res, 400, "invalid_request",
                                 "\"key\" or \"lang\" is not a template key or language");
  auto v = view(res);
  if (!v) return;
  send(res, 200, check_one(*v, key, lang, (*body)["text"].get<std::string>()).to_json());
}

void StudioApi::list_flows(const Req& req, Res& res) {
  if (!editor(req, res)) return;
  auto v = view(res);
  if (!v) return;
  std::set<std::string> edited;
  for (const DraftEntry& e : v->draft->edits) {
    if (e.entry.rfind("flow:", 0) == 0) edited.insert(e.entry.substr(5));
    if (e.entry.rfind("node:", 0) == 0) edited.insert(e.entry.substr(5, e.entry.find('/') - 5));
  }
  json flows = json::array();
  for (const auto& [id, doc] : flow_documents(*v->draft->files)) {
    flows.push_back({{"id", id},
                     {"comment", doc.second.value("comment", std::string())},
                     {"nodes", doc.second.contains("nodes") ? doc.second["nodes"].size() : 0},
                     {"in_draft", edited.count(id) > 0}});
  }
  send(res, 200, {{"flows", flows}});
}

void StudioApi::get_flow(const Req& req, Res& res) {
  if (!editor(req, res)) return;
  auto v = view(res);
  if (!v) return;
  const std::string id = req.matches[1];
  const std::string lang = req.get_param_value("lang");
  auto docs = flow_documents(*v->draft->files);
  auto f = docs.find(id);
  if (f == docs.end()) return http::send_json_error(res, 404, "not_found", "no flow " + id);
  // The texts of the template keys the flow names.
  json templates = json::object();
  std::function<void(const ojson&)> walk = [&](const ojson& j) {
    if (j.is_string()) {
      const std::string s = j.get<std::string>();
      if (v->draft->entries.count("template:" + s)) templates[s] = text_in(v->draft->entries, s, lang);
    } else if (j.is_structured()) {
      for (const auto& item : j) walk(item);
    }
  };
  walk(f->second.second);
  send(res, 200,
       {{"id", id},
        {"file", f->second.first},
        {"revision", flow_revision(*v->draft, id)},
        {"flow", json::parse(f->second.second.dump())},
        {"templates", templates}});
}

void StudioApi::flow_graph(const Req& req, Res& res) {
  if (!editor(req, res)) return;
  auto v = view(res);
  if (!v) return;
  const std::string id = req.matches[1];
  const std::string lang = req.get_param_value("lang");
  if (lang.size() > 16) return http::send_json_error(res, 400, "invalid_request", "lang is not a language");
  const std::string cache_key = id + "/" + lang;
  auto send_svg = [&res](const std::string& svg) {
    res.status = 200;
    res.set_header("Cache-Control", "no-store");
    res.set_content(svg, "image/svg+xml; charset=utf-8");
  };
  {
    std::lock_guard lock(graphs_mu_);
    if (graphs_draft_ == v->draft->serial) {
      auto cached = graphs_.find(cache_key);
      if (cached != graphs_.end()) return send_svg(cached->second);
    }
  }
  auto docs = flow_documents(*v->draft->files);
  auto f = docs.find(id);
  if (f == docs.end()) return http::send_json_error(res, 404, "not_found", "no flow " + id);
  auto parsed = parse_flow(v->draft->files->at(f->second.first), f->second.first);
  if (!parsed) return http::send_json_error(res, 400, "invalid_flow", parsed.error().message);
  FlowGraphText text;
  auto draft = v->draft;
  text.text = [draft, lang](const std::string& key) { return text_in(draft->entries, key, lang); };
  auto svg = flow_graph_svg(*parsed, text);
  if (!svg) return http::send_json_error(res, 400, "invalid_flow", svg.error().message);
  {
    std::lock_guard lock(graphs_mu_);
    if (graphs_draft_ != v->draft->serial) {
      graphs_.clear();
      graphs_draft_ = v->draft->serial;
    }
    if (graphs_.size() < 256) graphs_[cache_key] = *svg;
  }
  send_svg(*svg);
}

void StudioApi::save_flow(const Req& req, Res& res) {
  auto call = begin_save(req, res);
  if (!call) return;
  const Editor* who = &call->who;
  json* body = &call->body;
  const int64_t* base = &call->base;
  const std::string id = req.matches[1];
  if (!body->contains("flow") || !(*body)["flow"].is_object())
    return http::send_json_error(res, 400, "invalid_request", "\"flow\" must be the flow document");
  ojson flow = ojson::parse((*body)["flow"].dump());
  if (flow.value("id", std::string()) != id)
    return http::send_json_error(res, 400, "invalid_request", "the flow's \"id\" must be " + id);
  if (!flow.contains("nodes") || !flow["nodes"].is_object())
    return http::send_json_error(res, 400, "invalid_request", "the flow needs its \"nodes\" object");
  auto v = view(res);
  if (!v) return;
  const ContentLibrary::Draft& d = *v->draft;
  auto docs = flow_documents(*d.files);
  auto current = docs.find(id);
  if (current == docs.end()) return http::send_json_error(res, 404, "not_found", "no flow " + id);
  const std::string file = current->second.first;
  if (flow_revision(d, id) != *base)
    return conflict(res, "flow:" + id, json::parse(current->second.second.dump()));

  // The edits: the header, and each node added, changed or removed.
  std::vector<ContentLibrary::Edit> edits;
  ojson header = flow;
  header.erase("nodes");
  ojson old_header = current->second.second;
  old_header.erase("nodes");
  if (header != old_header) edits.push_back({"flow:" + id, header, d.revision_of("flow:" + id)});
  const ojson& old_nodes = current->second.second["nodes"];
  for (const auto& [node, value] : flow["nodes"].items()) {
    if (!old_nodes.contains(node) || old_nodes[node] != value)
      edits.push_back({"node:" + id + "/" + node, value, d.revision_of("node:" + id + "/" + node)});
  }
  for (const auto& [node, value] : old_nodes.items()) {
    if (!flow["nodes"].contains(node))
      edits.push_back({"node:" + id + "/" + node, std::nullopt, d.revision_of("node:" + id + "/" + node)});
  }
  if (edits.empty()) return send(res, 200, {{"revision", *base}, {"changed", 0}});

  // What `gateway check` would say of the flows with this one changed: any
  // problem of this flow refuses the save (an unreachable node, a choice
  // without an exit, a reference that does not resolve).
  Overlay overlay;
  for (const auto& e : edits) overlay[e.entry] = e.value;
  auto files = apply_overlay(*d.files, overlay);
  json problems = json::array();
  if (!files) {
    problems.push_back({{"location", "$"}, {"message", files.error().message}});
  } else {
    ContentFiles subset = folder(*files, "flows/");
    for (auto& [path, bytes] : folder(*files, "templates/")) subset[path] = bytes;
    auto dir = MaterializedContent::create(subset);
    if (!dir) return http::send_json_error(res, 503, "unavailable", "try again shortly");
    auto flows = load_flows(dir->dir() + "/flows");
    const std::string prefix = dir->dir() + "/" + file;
    if (!flows) {
      std::string msg = flows.error().message;
      size_t start = 0;
      while (start < msg.size()) {
        size_t end = msg.find('\n', start);
        if (end == std::string::npos) end = msg.size();
        std::string line = msg.substr(start, end - start);
        if (line.rfind(prefix, 0) == 0)
          problems.push_back({{"location", line.substr(prefix.size())}, {"message", line}});
        start = end + 1;
      }
      if (problems.empty()) problems.push_back({{"location", "$"}, {"message", "the flows do not load"}});
    } else {
      std::set<std::string> keys;
      for (const auto& [key, t] : v->catalog.all()) keys.insert(key);
      for (const FlowProblem& p : check_flows(*flows, keys)) {
        if (p.file != prefix && p.file.find(file) == std::string::npos) continue;
        problems.push_back({{"location", p.location},
                            {"severity", p.severity == FlowProblem::Severity::kError ? "error" : "warning"},
                            {"message", p.message}});
      }
    }
  }
  if (!problems.empty())
    return send(res, 400,
                {{"error", "invalid_flow"}, {"message", "the flow is not valid"}, {"problems", problems}});
  auto saved = ctx_.library.save_all(edits, *who, "content.edit");
  if (!saved) {
    if (saved.error().code == ErrorCode::kAlreadyExists)
      return conflict(res, "flow:" + id, json::parse(current->second.second.dump()));
    return saved_or_error(res, saved.error(), "flow:" + id);
  }
  send(res, 200, {{"revision", *std::max_element(saved->begin(), saved->end())}, {"changed", edits.size()}});
}

void StudioApi::get_draft(const Req& req, Res& res) {
  auto who = editor(req, res);
  if (!who) return;
  auto changes = ctx_.library.draft_changes();
  auto report = ctx_.library.check_draft();
  if (!changes || !report) return http::send_json_error(res, 503, "unavailable", "try again shortly");
  auto refusal = ctx_.library.publish_refusal(*who, *report);
  if (!refusal) return http::send_json_error(res, 503, "unavailable", "try again shortly");
  json items = json::array();
  for (const ContentChange& c : *changes) items.push_back(change_json(c));
  json problems = json::array();
  for (const CheckFinding& f : report->findings) {
    if (f.severity != Severity::kInfo) problems.push_back(finding_json(f));
  }
  json body = {{"published_version", ctx_.library.published_version()},
               {"changes", items},
               {"problems", problems},
               {"errors", report->errors},
               {"warnings", report->warnings},
               {"can_publish", !refusal->has_value()}};
  if (refusal->has_value()) {
    body["blocked"] = (*refusal)->message;
    body["blocked_code"] = (*refusal)->code;
    body["blocked_entries"] = (*refusal)->entries;
  }
  send(res, 200, body);
}

void StudioApi::discard(const Req& req, Res& res) {
  auto who = editor(req, res);
  if (!who) return;
  auto body = parse_body(req, res);
  if (!body) return;
  std::vector<std::string> entries;
  if (body->contains("entry")) {
    if (!(*body)["entry"].is_string() || (*body)["entry"].get<std::string>().size() > 300)
      return http::send_json_error(res, 400, "invalid_request", "\"entry\" must be an entry id");
    entries.push_back((*body)["entry"].get<std::string>());
  }
  if (Status s = ctx_.library.discard(entries, *who); !s)
    return http::send_json_error(res, 503, "unavailable", "try again shortly");
  send(res, 200, {{"discarded", entries.empty() ? json("all") : json(entries)}});
}

void StudioApi::simulate(const Req& req, Res& res) {
  if (!editor(req, res)) return;
  auto body = parse_body(req, res);
  if (!body) return;
  if (!body->contains("text") || !(*body)["text"].is_string() ||
      (*body)["text"].get<std::string>().size() > 1600)
    return http::send_json_error(res, 400, "invalid_request",
                                 "\"text\" must be a string of at most 1600 bytes");
  const std::string language = body->value("language", std::string());
  const std::string channel = body->value("channel", std::string("sms"));
  if (language.size() > 16 || (channel != "sms" && channel != "whatsapp" && channel != "telegram"))
    return http::send_json_error(res, 400, "invalid_request", "unknown language or channel");
  std::string id = body->contains("session") && (*body)["session"].is_string()
                       ? (*body)["session"].get<std::string>()
                       : "";
  if (id.size() > 64) return http::send_json_error(res, 400, "invalid_request", "unknown session");
  auto v = view(res);
  if (!v) return;
  const uint64_t draft_key = v->draft->serial;

  // The draft's content for simulators, loaded once per draft.
  std::shared_ptr<const SimulatorContent> content;
  {
    std::lock_guard lock(sims_mu_);
    if (sim_content_draft_ == draft_key) content = sim_content_;
  }
  if (!content) {
    auto dir = MaterializedContent::create(*v->draft->files);
    if (!dir) return http::send_json_error(res, 503, "unavailable", "try again shortly");
    auto loaded = load_simulator_content(dir->dir(), true);
    if (!loaded)
      return http::send_json_error(res, 409, "draft_does_not_load",
                                   "the draft does not load: " + loaded.error().message);
    content = *loaded;
    std::lock_guard lock(sims_mu_);
    sim_content_draft_ = draft_key;
    sim_content_ = content;
  }

  const TimePoint now = ctx_.clock.now();
  std::shared_ptr<Simulation> s;
  {
    std::lock_guard lock(sims_mu_);
    for (auto it = sims_.begin(); it != sims_.end();) {
      it = now - it->second->last_used > kSimulationIdle ? sims_.erase(it) : std::next(it);
    }
    auto found = sims_.find(id);
    if (found != sims_.end() && found->second->draft == draft_key) {
      s = found->second;
    } else {
      if (found != sims_.end()) sims_.erase(found);
      if (sims_.size() >= kMaxSimulations) {
        auto oldest = std::min_element(sims_.begin(), sims_.end(), [](const auto& a, const auto& b) {
          return a.second->last_used < b.second->last_used;
        });
        sims_.erase(oldest);
      }
      id = random_id(12);
      s = std::make_shared<Simulation>();
      SimulatorOptions options;
      options.language = language;
      options.channel = channel;
      s->sim = std::make_unique<Simulator>(content, options);
      s->draft = draft_key;
      sims_[id] = s;
    }
    s->last_used = now;
  }
  std::lock_guard one(s->mu);
  SimulatedTurn turn = s->sim->send((*body)["text"].get<std::string>(), now);
  json replies = json::array();
  for (const SimulatedReply& r : turn.replies) {
    replies.push_back({{"text", r.text},
                       {"key", r.key},
                       {"language", r.language},
                       {"encoding", r.encoding},
                       {"segments", r.segments},
                       {"rtl", is_rtl(r.language)}});
  }
  send(res, 200, {{"session", id}, {"replies", replies}, {"events", turn.events}});
}

void StudioApi::publish(const Req& req, Res& res) {
  auto who = editor(req, res);
  if (!who) return;
  auto body = parse_body(req, res);
  if (!body) return;
  const std::string message = body->contains("message") && (*body)["message"].is_string()
                                  ? (*body)["message"].get<std::string>()
                                  : std::string();
  auto published = ctx_.library.publish(*who, message);
  if (!published) {
    if (published.error().code == ErrorCode::kInvalidArgument)
      return http::send_json_error(res, 400, "invalid_request", published.error().message);
    log::error("studio.publish_failed", {{"error", published.error().to_string()}});
    return http::send_json_error(res, 503, "unavailable", "the version could not be published; try again");
  }
  if (published->refused) {
    const auto& r = *published->refused;
    const int status = r.code == "forbidden" || r.code == "four_eyes" ? 403 : 409;
    json problems = json::array();
    for (const CheckFinding& f : r.findings) problems.push_back(finding_json(f));
    return send(res, status,
                {{"error", r.code}, {"message", r.message}, {"entries", r.entries}, {"problems", problems}});
  }
  send(res, 200, {{"version", published->version}});
}

void StudioApi::list_versions(const Req& req, Res& res) {
  if (!editor(req, res)) return;
  auto list = ctx_.library.versions(200);
  if (!list) return http::send_json_error(res, 503, "unavailable", "try again shortly");
  json items = json::array();
  for (const ContentVersion& v : *list) items.push_back(version_json(v));
  send(res, 200, {{"published", ctx_.library.published_version()}, {"versions", items}});
}

void StudioApi::get_version(const Req& req, Res& res) {
  if (!editor(req, res)) return;
  const int64_t id = std::stoll(req.matches[1]);
  auto v = ctx_.library.version(id);
  if (!v) return http::send_json_error(res, 503, "unavailable", "try again shortly");
  if (!v->has_value())
    return http::send_json_error(res, 404, "not_found", "no version " + std::to_string(id));
  json body = version_json(**v);
  json changes = json::parse((*v)->changes_json, nullptr, false);
  body["changes"] = changes.is_discarded() ? json::array() : changes;
  send(res, 200, body);
}

void StudioApi::rollback(const Req& req, Res& res) {
  auto who = editor(req, res);
  if (!who) return;
  auto body = parse_body(req, res);
  if (!body) return;
  const int64_t id = std::stoll(req.matches[1]);
  const std::string message = body->contains("message") && (*body)["message"].is_string()
                                  ? (*body)["message"].get<std::string>()
                                  : std::string();
  auto done = ctx_.library.rollback(id, *who, message);
  if (!done) {
    if (done.error().code == ErrorCode::kNotFound)
      return http::send_json_error(res, 404, "not_found", "no version " + std::to_string(id));
    if (done.error().code == ErrorCode::kInvalidArgument)
      return http::send_json_error(res, 400, "invalid_request", done.error().message);
    log::error("studio.rollback_failed", {{"error", done.error().to_string()}});
    return http::send_json_error(res, 503, "unavailable", "the rollback failed; try again");
  }
  if (done->refused) {
    const int status = done->refused->code == "forbidden" ? 403 : 409;
    return send(res, status, {{"error", done->refused->code}, {"message", done->refused->message}});
  }
  send(res, 200, {{"version", done->version}});
}

void StudioApi::download_po(const Req& req, Res& res) {
  if (!editor(req, res)) return;
  auto v = view(res);
  if (!v) return;
  const std::string lang = req.matches[1];
  std::string file = lang;
  std::replace(file.begin(), file.end(), '-', '_');
  auto po = v->draft->files->find("translations/" + file + ".po");
  if (po == v->draft->files->end())
    return http::send_json_error(res, 404, "not_found", "no translations for " + lang);
  res.status = 200;
  res.set_header("Content-Disposition", "attachment; filename=\"" + file + ".po\"");
  res.set_header("Cache-Control", "no-store");
  res.set_content(po->second, "text/x-gettext-translation; charset=utf-8");
}

void StudioApi::upload_po(const Req& req, Res& res) {
  auto who = editor(req, res);
  if (!who) return;
  auto v = view(res);
  if (!v) return;
  const std::string lang = req.matches[1];
  if (std::find(v->languages.begin(), v->languages.end(), lang) == v->languages.end())
    return http::send_json_error(res, 404, "not_found", "no translations for " + lang);
  PoUpload upload = read_po_upload(req.body, lang, v->catalog);
  json report = upload.to_json();
  report.erase("entries");
  if (upload.has_errors()) {
    report["error"] = "invalid_po";
    report["message"] = "the file was not merged: fix the errors listed";
    return send(res, 400, report);
  }
  std::vector<ContentLibrary::Edit> edits;
  json problems = report.value("problems", json::array());
  int unchanged = 0;
  for (const PoUploadEntry& e : upload.entries) {
    const std::string entry = "translation:" + lang + ":" + e.msgctxt;
    auto current = v->draft->entries.find(entry);
    if (current == v->draft->entries.end()) continue;  // reported by read_po_upload
    if (current->second.value("msgstr", std::string()) == e.msgstr &&
        current->second.value("fuzzy", false) == e.fuzzy) {
      ++unchanged;
      continue;
    }
    edits.push_back({entry, ojson{{"msgstr", e.msgstr}, {"fuzzy", e.fuzzy}}, v->draft->revision_of(entry)});
  }
  auto saved = ctx_.library.save_all(edits, *who, "content.po_upload");
  if (!saved) {
    if (saved.error().code == ErrorCode::kAlreadyExists)
      return send(res, 409, {{"error", "conflict"}, {"message", saved.error().message + "; upload again"}});
    return send(res, 400, {{"error", "invalid_po"}, {"message", saved.error().message}});
  }
  send(res, 200, {{"merged", edits.size()}, {"unchanged", unchanged}, {"problems", problems}});
}

}  // namespace gw
