#include "gateway/content/live_content.h"

#include <filesystem>

#include "gateway/content/content_set.h"
#include "gateway/content/flow_files.h"

namespace gw {

ContentSource fixed_content(const TemplateCatalog& catalog, const Renderer* renderer, const FlowSet* flows,
                            const Engine* engine) {
  return [&catalog, renderer, flows, engine] {
    ContentView v;
    v.catalog = &catalog;
    v.renderer = renderer;
    v.flows = flows;
    v.engine = engine;
    return v;
  };
}

ContentView LoadedContent::view(std::shared_ptr<const LoadedContent> self) const {
  ContentView v;
  v.catalog = &catalog;
  v.renderer = renderer.get();
  v.flows = &flows;
  v.engine = engine.get();
  v.version = version;
  v.hold = std::move(self);
  return v;
}

Result<std::shared_ptr<const LoadedContent>> load_live_content(const std::string& dir, int64_t version,
                                                               const ContentLoadOptions& options) {
  namespace fs = std::filesystem;
  auto catalog = TemplateCatalog::load((fs::path(dir) / "templates").string());
  if (!catalog) return catalog.error();
  auto content = load_content(dir);
  if (!content) return content.error();
  auto flows = load_flows((fs::path(dir) / "flows").string());
  if (!flows) return flows.error();
  auto loaded = std::make_shared<LoadedContent>();
  loaded->version = version;
  loaded->catalog = std::move(*catalog);
  loaded->flows = std::move(*flows);
  if (!options.entry_flow.empty()) loaded->flows.entry = options.entry_flow;
  loaded->renderer = std::make_unique<Renderer>(std::move(*content), options.policy, options.render);
  loaded->lexicon = std::make_unique<RendererLexicon>(*loaded->renderer);
  loaded->engine = std::make_unique<Engine>(*loaded->lexicon, options.engine);
  return std::shared_ptr<const LoadedContent>(std::move(loaded));
}

LiveContent::LiveContent(std::shared_ptr<const LoadedContent> first) : current_(std::move(first)) {}

void LiveContent::replace(std::shared_ptr<const LoadedContent> next) {
  current_.store(std::move(next));
}

ContentSource LiveContent::source() const {
  return [this] {
    std::shared_ptr<const LoadedContent> c = current();
    return c->view(c);
  };
}

}  // namespace gw
