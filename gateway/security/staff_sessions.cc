#include "gateway/security/staff_sessions.h"

#include <algorithm>

#include "gateway/core/digest.h"
#include "gateway/core/ids.h"
#include "gateway/core/log.h"

namespace gw {

std::string base64url_encode(const std::string& bytes) {
  std::string s = base64_encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  return s;
}

namespace {

void log_table_error(std::string_view what, const Error& e) {
  log::error("staff_sessions.store_failed", {{"operation", what}, {"error", e.to_string()}});
}

}  // namespace

StaffSessions::StaffSessions(Clock& clock, StaffSessionOptions options) : clock_(clock), options_(options) {}

StaffSessions::StaffSessions(Clock& clock, SharedStaffSessionTable* shared, StaffSessionOptions options)
    : clock_(clock), shared_(shared), options_(options) {}

std::pair<TimePoint, TimePoint> StaffSessions::live_after(TimePoint now) const {
  return {now - options_.idle_timeout, now - options_.absolute_timeout};
}

bool StaffSessions::expired(const StaffSession& s, TimePoint now) const {
  return now - s.last_seen >= options_.idle_timeout || now - s.created_at >= options_.absolute_timeout;
}

NewStaffSession StaffSessions::create(int64_t account_id, const std::string& username,
                                      const std::string& role, const std::string& credential) {
  const TimePoint now = clock_.now();
  NewStaffSession out;
  out.token = base64url_encode(random_bytes(32));
  out.session.account_id = account_id;
  out.session.username = username;
  out.session.role = role;
  out.session.csrf_token = base64url_encode(random_bytes(32));
  out.session.credential = credential;
  out.session.created_at = now;
  out.session.last_seen = now;
  if (shared_) {
    const auto [seen_after, created_after] = live_after(now);
    if (auto dropped = shared_->remove_expired(seen_after, created_after); !dropped)
      log_table_error("remove_expired", dropped.error());
    if (Status s = shared_->put(sha256(out.token), out.session); !s) {
      log_table_error("put", s.error());
      out.token.clear();
    }
    return out;
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(by_hash_, [&](const auto& entry) { return expired(entry.second, now); });
  by_hash_[sha256(out.token)] = out.session;
  return out;
}

std::optional<StaffSession> StaffSessions::touch(const std::string& token) {
  if (token.empty()) return std::nullopt;
  const std::string key = sha256(token);
  const TimePoint now = clock_.now();
  if (shared_) return touch_shared(key, now);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_hash_.find(key);
  if (it == by_hash_.end()) return std::nullopt;
  if (expired(it->second, now)) {
    by_hash_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen = now;
  return it->second;
}

std::optional<StaffSession> StaffSessions::peek(const std::string& token) const {
  if (token.empty()) return std::nullopt;
  const std::string key = sha256(token);
  const TimePoint now = clock_.now();
  if (shared_) return peek_shared(key, now);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_hash_.find(key);
  if (it == by_hash_.end() || expired(it->second, now)) return std::nullopt;
  return it->second;
}

bool StaffSessions::remove(const std::string& token) {
  const std::string key = sha256(token);
  if (shared_) {
    auto removed = shared_->remove(key);
    if (!removed) {
      log_table_error("remove", removed.error());
      return false;
    }
    return *removed;
  }
  std::lock_guard<std::mutex> lock(mu_);
  return by_hash_.erase(key) > 0;
}

int StaffSessions::end_for_account(int64_t account_id, const std::string& keep_token) {
  const std::string keep = keep_token.empty() ? std::string() : sha256(keep_token);
  if (shared_) {
    auto ended = shared_->remove_for_account(account_id, keep);
    if (!ended) {
      log_table_error("remove_for_account", ended.error());
      return 0;
    }
    return static_cast<int>(*ended);
  }
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(std::erase_if(by_hash_, [&](const auto& entry) {
    return entry.second.account_id == account_id && entry.first != keep;
  }));
}

size_t StaffSessions::size() const {
  const TimePoint now = clock_.now();
  if (shared_) {
    const auto [seen_after, created_after] = live_after(now);
    auto n = shared_->count_live(seen_after, created_after);
    if (!n) {
      log_table_error("count_live", n.error());
      return 0;
    }
    return static_cast<size_t>(*n);
  }
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [key, s] : by_hash_) n += expired(s, now) ? 0 : 1;
  return n;
}

std::vector<int64_t> StaffSessions::active_accounts() const {
  const TimePoint now = clock_.now();
  if (shared_) {
    const auto [seen_after, created_after] = live_after(now);
    auto ids = shared_->live_accounts(seen_after, created_after);
    if (!ids) {
      log_table_error("live_accounts", ids.error());
      return {};
    }
    return std::move(*ids);
  }
  std::vector<int64_t> ids;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, s] : by_hash_) {
      if (!expired(s, now)) ids.push_back(s.account_id);
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::optional<StaffSession> StaffSessions::touch_shared(const std::string& key, TimePoint now) {
  auto found = shared_->get(key);
  if (!found) {
    log_table_error("get", found.error());
    return std::nullopt;
  }
  if (!*found) return std::nullopt;
  StaffSession s = std::move(**found);
  if (expired(s, now)) {
    if (auto removed = shared_->remove(key); !removed) log_table_error("remove", removed.error());
    return std::nullopt;
  }
  if (now - s.last_seen >= kLastSeenStep) {
    if (Status st = shared_->set_last_seen(key, now); !st) log_table_error("set_last_seen", st.error());
  }
  s.last_seen = now;
  return s;
}

std::optional<StaffSession> StaffSessions::peek_shared(const std::string& key, TimePoint now) const {
  auto found = shared_->get(key);
  if (!found) {
    log_table_error("get", found.error());
    return std::nullopt;
  }
  if (!*found || expired(**found, now)) return std::nullopt;
  return std::move(**found);
}

}  // namespace gw
