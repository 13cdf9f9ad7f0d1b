// StudioApi: the content studio's API under /api/studio/ (docs/studio-api.md is
// the reference): templates and translations, flows and their diagrams, the
// draft and its simulator, publish, versions and rollback, and translators' PO
// files. Behind the staff login: editors, supervisors and admins; an operator
// gets 403 on every route. Every change goes through ContentLibrary, which
// audits it.
//
// Bounds: request bodies are the server's (max_body_bytes); a text checked or
// saved is at most kMaxCheckedTextBytes; a PO upload at most kMaxPoUploadBytes;
// at most kMaxSimulations draft conversations at once (the oldest idle one
// makes room), each ended after kSimulationIdle without a message.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "gateway/content/template_catalog.h"
#include "gateway/conversations/simulator.h"
#include "gateway/core/clock.h"
#include "gateway/http/server.h"
#include "gateway/http/staff_auth.h"
#include "gateway/store/store.h"
#include "gateway/studio/content_library.h"

namespace gw {

struct StudioContext {
  http::StaffAuth& auth;
  Store& store;
  Clock& clock;
  ContentLibrary& library;
};

class StudioApi {
 public:
  static constexpr size_t kMaxSimulations = 64;
  static constexpr std::chrono::minutes kSimulationIdle{30};

  explicit StudioApi(StudioContext ctx);
  void add_routes(http::HttpServer& server);

  // What the studio reads of one draft, derived once per draft.
  struct DraftView {
    std::shared_ptr<const ContentLibrary::Draft> draft;
    TemplateCatalog catalog;  // the draft's English sources
    std::vector<std::string> languages;
  };

 private:
  using Req = httplib::Request;
  using Res = httplib::Response;

  std::optional<Editor> editor(const Req& req, Res& res);
  // What every save reads first: who asks (a studio role), the JSON body and the
  // revision the edit started from. Fills `res` and returns nullopt when one is wrong.
  struct SaveCall {
    Editor who;
    nlohmann::ordered_json body;
    int64_t base = 0;
  };
  std::optional<SaveCall> begin_save(const Req& req, Res& res);
  std::shared_ptr<const DraftView> view(Res& res);

  void me(const Req& req, Res& res);
  void list_templates(const Req& req, Res& res);
  void get_template(const Req& req, Res& res);
  void save_template(const Req& req, Res& res);
  void review_facts(const Req& req, Res& res);
  void save_translation(const Req& req, Res& res);
  void review_translation(const Req& req, Res& res);
  void check(const Req& req, Res& res);
  void list_flows(const Req& req, Res& res);
  void get_flow(const Req& req, Res& res);
  void flow_graph(const Req& req, Res& res);
  void save_flow(const Req& req, Res& res);
  void get_draft(const Req& req, Res& res);
  void discard(const Req& req, Res& res);
  void simulate(const Req& req, Res& res);
  void publish(const Req& req, Res& res);
  void list_versions(const Req& req, Res& res);
  void get_version(const Req& req, Res& res);
  void rollback(const Req& req, Res& res);
  void download_po(const Req& req, Res& res);
  void upload_po(const Req& req, Res& res);

  // 409 for a save that lost to another editor's, showing theirs.
  void conflict(Res& res, const std::string& entry, const nlohmann::ordered_json& current_override = nullptr);
  void saved_or_error(Res& res, const Result<int64_t>& saved, const std::string& entry,
                      const nlohmann::ordered_json& extra = nlohmann::ordered_json::object());

  StudioContext ctx_;
  mutable std::mutex view_mu_;  // guards view_; held only to compare and swap it
  std::shared_ptr<const DraftView> view_;

  struct Simulation {
    std::mutex mu;
    std::unique_ptr<Simulator> sim;
    uint64_t draft = 0;  // the serial of the draft it runs on
    TimePoint last_used{};
  };
  std::mutex sims_mu_;  // guards sims_ and sim_content_; held only to find, add or drop one
  std::map<std::string, std::shared_ptr<Simulation>> sims_;
  uint64_t sim_content_draft_ = 0;
  // Diagrams of the current draft by "flow/lang": Graphviz lays out one at a
  // time for the whole process, so a diagram is drawn once per draft.
  std::mutex graphs_mu_;  // guards the two below; held only to look up or store one
  uint64_t graphs_draft_ = 0;
  std::map<std::string, std::string> graphs_;
  std::shared_ptr<const SimulatorContent> sim_content_;
};

}  // namespace gw
