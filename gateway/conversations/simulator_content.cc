#include "gateway/conversations/simulator_content.h"

#include <filesystem>

#include "gateway/content/content_set.h"
#include "gateway/content/flow_files.h"
#include "gateway/core/log.h"

namespace gw {
namespace fs = std::filesystem;

SimulatorContent::SimulatorContent(FlowSet flows_in, Renderer renderer_in)
    : flows(std::move(flows_in)),
      renderer(std::move(renderer_in)),
      lexicon(renderer),
      keywords(renderer.content().templates, &renderer) {}

Result<std::shared_ptr<const SimulatorContent>> load_simulator_content(const std::string& content_dir,
                                                                       bool serve_fuzzy) {
  auto content = load_content(content_dir);
  if (!content) return content.error();
  auto flows = load_flows((fs::path(content_dir) / "flows").string());
  if (!flows) return flows.error();
  RenderOptions ro;
  ro.serve_fuzzy = serve_fuzzy;
  Renderer renderer(std::move(*content), LanguagePolicy(), ro);
  return std::shared_ptr<const SimulatorContent>(
      std::make_shared<SimulatorContent>(std::move(*flows), std::move(renderer)));
}

std::string content_fingerprint(const std::string& content_dir) {
  std::string out;
  for (const char* folder : {"flows", "templates", "translations"}) {
    std::error_code ec;
    const fs::path root = fs::path(content_dir) / folder;
    if (!fs::is_directory(root, ec)) continue;
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      const auto size = it->file_size(ec);
      const auto mtime = it->last_write_time(ec).time_since_epoch().count();
      out += it->path().string() + '\t' + std::to_string(size) + '\t' + std::to_string(mtime) + '\n';
    }
  }
  return out;
}

SimulatorContentCache::SimulatorContentCache(std::string content_dir, Loader loader, Clock& clock,
                                             std::chrono::seconds check_every)
    : content_dir_(std::move(content_dir)),
      loader_(std::move(loader)),
      clock_(clock),
      check_every_(check_every) {}

uint64_t SimulatorContentCache::loads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return loads_;
}

Result<std::shared_ptr<const SimulatorContent>> SimulatorContentCache::get() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (clock_.now() < next_check_) {
      if (current_) return current_;
      if (failed_) return *failed_;  // broken content is not read again on every request
    }
  }
  std::unique_lock<std::mutex> loading(load_mu_, std::try_to_lock);
  if (!loading.owns_lock()) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (current_) return current_;  // someone is checking: the loaded content serves meanwhile
    }
    loading.lock();  // the very first load: wait for it
  }
  std::shared_ptr<const SimulatorContent> current;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (current_ && clock_.now() < next_check_) return current_;  // checked while this one waited
    if (failed_ && clock_.now() < next_check_) return *failed_;
    current = current_;
  }
  std::string fingerprint = content_fingerprint(content_dir_);
  if (current && fingerprint == fingerprint_) {
    std::lock_guard<std::mutex> lock(mu_);
    next_check_ = clock_.now() + check_every_;
    return current_;
  }
  auto loaded = loader_();
  std::lock_guard<std::mutex> lock(mu_);
  ++loads_;
  next_check_ = clock_.now() + check_every_;
  if (!loaded) {
    if (!current_) {
      failed_ = loaded.error();
      return loaded.error();
    }
    log::warn("simulator.content_reload_failed", {{"error", loaded.error().to_string()}});
    fingerprint_ = fingerprint;  // not again until the files change again
    return current_;
  }
  fingerprint_ = std::move(fingerprint);
  failed_.reset();
  current_ = std::move(*loaded);
  return current_;
}

}  // namespace gw
