// SimulatorContent: what every simulated conversation reads and none changes —
// the flows, the renderer, the engine's lexicon and the keyword lists — loaded
// once and shared (const, so any number of conversations may read it at once).
//
// SimulatorContentCache keeps one loaded SimulatorContent for a server's
// simulator: a new conversation or an options request takes the loaded one
// instead of reading ~1.3 MB of flows, templates and PO files again. It loads
// again only when the content changed on disk: at most once per `check_every` it
// compares the size and modification time of every file under flows/, templates/
// and translations/ with those of the last load. Content that fails to load after
// a change is logged, and the last good content stays in use.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "gateway/content/renderer.h"
#include "gateway/conversations/keywords.h"
#include "gateway/content/renderer_lexicon.h"
#include "gateway/core/clock.h"
#include "gateway/core/result.h"
#include "gateway/engine/flow.h"

namespace gw {

struct SimulatorContent {
  SimulatorContent(FlowSet flows_in, Renderer renderer_in);
  SimulatorContent(const SimulatorContent&) = delete;  // lexicon and keywords refer to renderer
  SimulatorContent& operator=(const SimulatorContent&) = delete;

  FlowSet flows;
  Renderer renderer;
  RendererLexicon lexicon;
  KeywordMatcher keywords;  // the crisis and distress words, in every language
};

// Loads flows/, templates/ and translations/ of `content_dir`.
Result<std::shared_ptr<const SimulatorContent>> load_simulator_content(const std::string& content_dir,
                                                                       bool serve_fuzzy = true);

class SimulatorContentCache {
 public:
  using Loader = std::function<Result<std::shared_ptr<const SimulatorContent>>()>;

  // `loader` loads the content of `content_dir` (load_simulator_content, or a
  // test's counting wrapper). `clock` must outlive the cache.
  SimulatorContentCache(std::string content_dir, Loader loader, Clock& clock,
                        std::chrono::seconds check_every = std::chrono::seconds(5));

  // The loaded content; loads it on the first call, and again when a check is due
  // and the files changed. Only one caller loads at a time; while it does, the
  // others get the content already loaded. An error only when nothing could be
  // loaded yet (tried again at the next check, not on every call).
  Result<std::shared_ptr<const SimulatorContent>> get();

  // How many times the loader ran.
  uint64_t loads() const;

 private:
  std::string content_dir_;
  Loader loader_;
  Clock& clock_;
  std::chrono::seconds check_every_;
  std::mutex load_mu_;       // held by the one caller that checks or loads
  std::string fingerprint_;  // guarded by load_mu_
  mutable std::mutex mu_;    // guards the members below; held only to copy them
  std::shared_ptr<const SimulatorContent> current_;
  std::optional<Error> failed_;  // the first load's error, until the next check
  TimePoint next_check_{};
  uint64_t loads_ = 0;
};

// Size and modification time of every file under `content_dir`'s flows/,
// templates/ and translations/, as one string: equal strings, same content files.
std::string content_fingerprint(const std::string& content_dir);

}  // namespace gw
