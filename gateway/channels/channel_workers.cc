#include "gateway/channels/channel_workers.h"

#include "gateway/channels/telegram/telegram_sender.h"
#include "gateway/channels/twilio/twilio_sender.h"
#include "gateway/core/log.h"

namespace gw {

ChannelWorkers::ChannelWorkers(const Config& config, const TemplateCatalog& catalog, Store& store,
                               Clock& clock, HttpClient& http, metrics::CoreMetrics* metrics, Millis tick)
    : ChannelWorkers(config, fixed_content(catalog, nullptr), store, clock, http, metrics, tick) {}

ChannelWorkers::ChannelWorkers(const Config& config, ContentSource content, Store& store, Clock& clock,
                               HttpClient& http, metrics::CoreMetrics* metrics, Millis tick) {
  auto content_sid = [content](const std::string& key) {
    const ContentView v = content();
    const Template* t = v.catalog->find(key);
    return t ? t->content_sid : std::string();
  };
  for (const ChannelConfig& ch : config.channels) {
    Entry e;
    OutboxWorkerOptions options;
    if (ch.type == "twilio") {
      e.sender = std::make_unique<TwilioSender>(ch, config.public_url, http, clock, content_sid);
      options.max_per_second = ch.max_per_second;
    } else if (ch.type == "telegram") {
      e.sender = std::make_unique<TelegramSender>(ch, http);
      options.max_per_second = ch.max_per_second;
    } else {
      continue;  // the web simulator answers in the page; no provider to send to
    }
    // A batch takes about batch/rate seconds at the channel's pace; the lease must outlast it.
    options.batch = std::max(1, std::min(50, static_cast<int>(options.max_per_second * 5)));
    options.lease =
        Millis(60000) + Millis(static_cast<int64_t>(1000.0 * options.batch / options.max_per_second));
    OutboxObserver observer;
    if (metrics) {
      observer.sent = [metrics](const std::string& channel, int segments) {
        metrics->messages(channel, metrics::kOutbound).inc();
        if (segments > 0) metrics->segments(channel).inc(segments);
      };
      observer.outcome = [metrics](const std::string& channel, const std::string& outcome) {
        metrics->outbox_outcomes(channel, outcome).inc();
      };
    }
    e.outbox =
        std::make_unique<OutboxWorker>(store, clock, *e.sender, options, system_unit_random(), observer);
    OutboxWorker* outbox = e.outbox.get();
    const std::string id = ch.id;
    e.thread = std::make_unique<PeriodicWorker>("outbox:" + id, clock, tick, [outbox, id] {
      // Drain what is due; a full batch means there may be more. A stop ends the
      // drain between items (run_once) and between batches (here).
      for (int round = 0; round < 100 && !outbox->stop_requested(); ++round) {
        auto n = outbox->run_once();
        if (!n) {
          log::error("outbox.pass_failed", {{"channel", id}, {"error", n.error().to_string()}});
          return;
        }
        if (*n == 0) return;
      }
    });
    workers_.emplace(ch.id, std::move(e));
  }
}

ChannelWorkers::~ChannelWorkers() {
  stop();
}

void ChannelWorkers::start() {
  for (auto& [id, e] : workers_) {
    e.outbox->clear_stop();
    e.thread->start();
  }
}

void ChannelWorkers::stop() {
  // Every drain is told first, so the channels wind down together.
  for (auto& [id, e] : workers_) e.outbox->request_stop();
  for (auto& [id, e] : workers_) e.thread->stop();
}

void ChannelWorkers::wake(const std::string& channel_id) {
  auto it = workers_.find(channel_id);
  if (it != workers_.end()) it->second.thread->wake();
}

}  // namespace gw
