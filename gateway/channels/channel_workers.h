// ChannelWorkers: one outbox sender thread per configured provider channel.
//
// Each channel gets its ChannelSender (Twilio, Telegram), an OutboxWorker with
// the channel's rate, and a PeriodicWorker that runs it every second and at
// once when a reply is queued (wake). stop() returns after every send in
// progress has been recorded, so the store can close cleanly after it; a
// backlog does not hold it up: the drains stop between items and give back
// what they claimed and did not try (OutboxWorker::run_once).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gateway/channels/outbox_worker.h"
#include "gateway/config/config.h"
#include "gateway/content/live_content.h"
#include "gateway/content/template_catalog.h"
#include "gateway/core/core_metrics.h"
#include "gateway/core/http_client.h"
#include "gateway/core/periodic_worker.h"

namespace gw {

class ChannelWorkers {
 public:
  // Builds every channel's sender; their threads start with start(), and each
  // waits its `tick` on `clock`.
  ChannelWorkers(const Config& config, const TemplateCatalog& catalog, Store& store, Clock& clock,
                 HttpClient& http, metrics::CoreMetrics* metrics, Millis tick = Millis(1000));
  // As above, the WhatsApp ContentSids read from whatever `content` gives at send time.
  ChannelWorkers(const Config& config, ContentSource content, Store& store, Clock& clock, HttpClient& http,
                 metrics::CoreMetrics* metrics, Millis tick = Millis(1000));
  ~ChannelWorkers();  // stops

  void start();
  void stop();
  // Runs `channel_id`'s sender now (no-op for a channel without one).
  void wake(const std::string& channel_id);
  size_t size() const { return workers_.size(); }

 private:
  struct Entry {
    std::unique_ptr<ChannelSender> sender;
    std::unique_ptr<OutboxWorker> outbox;
    std::unique_ptr<PeriodicWorker> thread;
  };
  std::map<std::string, Entry> workers_;
};

}  // namespace gw
