// The content a running gateway speaks from, and its replacement while it runs.
//
// LoadedContent is one published version, loaded: the templates, the flows, the
// renderer with its translations, and the engine over them. It is immutable
// once loaded. LiveContent holds the one in use; a publish replaces it in one
// step, and whoever took the previous one (a message being decided, a reply
// being composed) finishes with it, because it is shared, not borrowed.
//
// The modules that speak (conversations, helpdesk notices, senders, the console's
// canned replies) read it through a ContentSource: a function giving a
// ContentView of the version to use now, with `hold` keeping it alive while the
// view is in use. fixed_content() gives a source over content owned elsewhere
// (tests, the command line), which never changes.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gateway/content/languages.h"
#include "gateway/content/renderer.h"
#include "gateway/content/renderer_lexicon.h"
#include "gateway/content/template_catalog.h"
#include "gateway/core/result.h"
#include "gateway/engine/engine.h"
#include "gateway/engine/flow.h"

namespace gw {

struct ContentView {
  const TemplateCatalog* catalog = nullptr;
  const Renderer* renderer = nullptr;  // may be null: source texts only
  const FlowSet* flows = nullptr;      // null: no flows (keywords and notices only)
  const Engine* engine = nullptr;
  int64_t version = 0;               // the content version (0: not from the store)
  std::shared_ptr<const void> hold;  // keeps the pointees alive; null for fixed content
};

using ContentSource = std::function<ContentView()>;

// A source that always gives these (which must outlive it).
ContentSource fixed_content(const TemplateCatalog& catalog, const Renderer* renderer,
                            const FlowSet* flows = nullptr, const Engine* engine = nullptr);

struct ContentLoadOptions {
  LanguagePolicy policy;
  RenderOptions render;
  EngineOptions engine;
  std::string entry_flow;  // overrides globals.json's entry when not empty
};

struct LoadedContent {
  LoadedContent() = default;
  LoadedContent(const LoadedContent&) = delete;  // the engine and lexicon refer to the renderer
  LoadedContent& operator=(const LoadedContent&) = delete;

  int64_t version = 0;
  TemplateCatalog catalog;
  FlowSet flows;
  std::unique_ptr<Renderer> renderer;
  std::unique_ptr<RendererLexicon> lexicon;
  std::unique_ptr<Engine> engine;

  ContentView view(std::shared_ptr<const LoadedContent> self) const;
};

// Loads `dir`'s flows/, templates/ and translations/ as version `version`.
// kInvalidArgument with the first problem (and a pointer to `gateway check`)
// when the content does not load.
Result<std::shared_ptr<const LoadedContent>> load_live_content(const std::string& dir, int64_t version,
                                                               const ContentLoadOptions& options);

class LiveContent {
 public:
  // REQUIRES: `first` is not null.
  explicit LiveContent(std::shared_ptr<const LoadedContent> first);

  std::shared_ptr<const LoadedContent> current() const { return current_.load(); }
  // REQUIRES: `next` is not null. Readers see either the old or the new one.
  void replace(std::shared_ptr<const LoadedContent> next);
  // A source over whatever is current when it is called.
  ContentSource source() const;

 private:
  std::atomic<std::shared_ptr<const LoadedContent>> current_;
};

}  // namespace gw
