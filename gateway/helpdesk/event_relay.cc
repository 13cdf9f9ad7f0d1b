#include "gateway/helpdesk/event_relay.h"

#include <nlohmann/json.hpp>

#include "gateway/core/ids.h"
#include "gateway/core/log.h"

namespace gw {

namespace {
// The relay's thread publishing an event that came from another instance: the
// bus calls on_local() on that thread, which must not send it back out.
thread_local const EventRelay* tl_relaying = nullptr;

constexpr size_t kMaxPayload = 4096;
constexpr size_t kMaxField = 256;
}  // namespace

EventRelay::EventRelay(EventBus& bus, Store& store) : bus_(bus), store_(store), origin_(random_id(8)) {}

EventRelay::~EventRelay() {
  stop();
}

std::string EventRelay::encode(const HelpdeskEvent& e, const std::string& origin) {
  nlohmann::json j = {
      {"o", origin}, {"t", e.type}, {"c", e.conversation_id}, {"h", e.handover_id}, {"q", e.queue}};
  if (!e.from_queue.empty()) j["f"] = e.from_queue;
  return j.dump();
}

std::optional<EventRelay::Decoded> EventRelay::decode(const std::string& payload) {
  if (payload.size() > kMaxPayload) return std::nullopt;
  auto j = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  auto text = [&](const char* key, bool required, std::string* out) {
    auto it = j.find(key);
    if (it == j.end()) return !required;
    if (!it->is_string() || it->get_ref<const std::string&>().size() > kMaxField) return false;
    *out = it->get<std::string>();
    return true;
  };
  auto number = [&](const char* key, int64_t* out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return false;
    *out = it->get<int64_t>();
    return *out >= 0;
  };
  Decoded d;
  if (!text("o", true, &d.origin) || d.origin.empty() || !text("t", true, &d.event.type) ||
      d.event.type.empty() || !number("c", &d.event.conversation_id) || !number("h", &d.event.handover_id) ||
      !text("q", true, &d.event.queue) || !text("f", false, &d.event.from_queue)) {
    return std::nullopt;
  }
  return d;
}

Status EventRelay::start() {
  auto listening = store_.listen(kTopic, [this](const std::string& payload) { on_remote(payload); });
  if (!listening) return listening.error();
  if (!*listening) return {};  // the store has no other instances to hear from
  listening_ = std::move(*listening);
  subscription_ = bus_.subscribe([this](const HelpdeskEvent& e) { on_local(e); });
  sender_ = std::thread([this] { run_sender(); });
  return {};
}

void EventRelay::stop() {
  if (subscription_ != 0) {
    bus_.unsubscribe(subscription_);
    subscription_ = 0;
  }
  listening_.reset();  // joins the listening thread
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (sender_.joinable()) sender_.join();
}

void EventRelay::on_local(const HelpdeskEvent& e) {
  if (tl_relaying == this) return;  // it came from another instance
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    if (pending_.size() >= kMaxPending) {
      pending_.pop_front();
      ++dropped_;
    }
    pending_.push_back(encode(e, origin_));
  }
  cv_.notify_one();
}

void EventRelay::on_remote(const std::string& payload) {
  auto d = decode(payload);
  if (!d) {
    log::warn("helpdesk.relay_malformed", {{"bytes", static_cast<int64_t>(payload.size())}});
    return;
  }
  if (d->origin == origin_) return;  // our own, back from the database
  {
    std::lock_guard lock(mu_);
    ++received_;
  }
  const EventRelay* saved = tl_relaying;
  tl_relaying = this;
  bus_.publish(d->event);
  tl_relaying = saved;
}

void EventRelay::run_sender() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping, and everything went out
    std::string payload = std::move(pending_.front());
    pending_.pop_front();
    lock.unlock();
    const Status s = store_.notify(kTopic, payload);
    if (!s) log::warn("helpdesk.relay_failed", {{"error", s.error().to_string()}});
    lock.lock();
    if (s) {
      ++sent_;
    } else {
      ++dropped_;
    }
  }
}

size_t EventRelay::sent() const {
  std::lock_guard lock(mu_);
  return sent_;
}
size_t EventRelay::received() const {
  std::lock_guard lock(mu_);
  return received_;
}
size_t EventRelay::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

}  // namespace gw
