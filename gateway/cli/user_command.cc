#include "gateway/cli/user_command.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "gateway/cli/commands.h"
#include "gateway/cli/configured_store.h"
#include "gateway/config/config.h"
#include "gateway/core/ids.h"
#include "gateway/core/log.h"
#include "gateway/store/record_values.h"

namespace gw::cli {
namespace {

constexpr std::string_view kPasswordAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
constexpr size_t kPasswordLength = 20;

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

bool valid_username(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void audit(Store& store, Clock& clock, const std::string& action, int64_t account_id,
           const nlohmann::json& detail = nlohmann::json::object()) {
  AuditEntry e;
  e.at = clock.now();
  e.actor = "system";
  e.action = action;
  e.subject = "account:" + std::to_string(account_id);
  e.detail_json = detail.dump();
  if (Status s = store.append_audit(e); !s)
    log::error("audit.append_failed", {{"action", action}, {"error", s.error().to_string()}});
}

int fail(std::ostream& err, const std::string& action, const std::string& message) {
  err << "gateway user " << action << ": " << message << "\n";
  return kExitFailure;
}

}  // namespace

std::string generate_one_time_password() {
  // Rejection sampling keeps every character equally likely.
  const size_t n = kPasswordAlphabet.size();
  const size_t limit = 256 - (256 % n);
  std::string out;
  while (out.size() < kPasswordLength) {
    for (unsigned char b : random_bytes(32)) {
      if (b >= limit) continue;
      out += kPasswordAlphabet[b % n];
      if (out.size() == kPasswordLength) break;
    }
  }
  return out;
}

Result<std::optional<std::string>> ensure_first_admin(Store& store, Clock& clock,
                                                      const PasswordHasher& hasher) {
  auto count = store.count_accounts();
  if (!count) return count.error();
  if (*count > 0) return std::optional<std::string>();
  const std::string password = generate_one_time_password();
  auto hash = hasher.hash(password);
  if (!hash) return hash.error();
  Account a;
  a.username = "admin";
  a.role = "admin";
  a.password_hash = std::move(*hash);
  a.must_change_password = true;
  a.created_at = clock.now();
  auto id = store.create_account(a);
  if (!id) return id.error();
  audit(store, clock, "account.created", *id, {{"role", "admin"}, {"first_admin", true}});
  return std::optional<std::string>(password);
}

int run_user(const UserCommandOptions& options, std::ostream& out, std::ostream& err) {
  const std::string& action = options.action;
  if (!valid_username(options.username))
    return fail(err, action, "a username is 1 to 64 letters, digits, '.', '_' or '-'");
  if (action == "add") {
    if (!is_account_role(options.role))
      return fail(err, action,
                  "unknown role '" + options.role + "' (use operator, supervisor, editor or admin)");
    if (options.capacity < 0 || options.capacity > 100)
      return fail(err, action, "--capacity must be between 0 and 100");
    if (options.reviewer && options.role != "editor")
      return fail(err, action, "--reviewer is for editors (supervisors and admins publish anyway)");
  }
  log::init(log::Level::kWarn);
  SystemClock clock;
  auto opened = open_configured_store(options.config_path, clock);
  if (!opened) return fail(err, action, opened.error().message);
  std::unique_ptr<Store> store = std::move(*opened);
  PasswordHasher hasher;

  auto finish = [&](int code) {
    if (Status s = store->close(); !s && code == kExitOk) return fail(err, action, s.error().message);
    return code;
  };

  if (action == "add") {
    const std::string password = generate_one_time_password();
    auto hash = hasher.hash(password);
    if (!hash) return finish(fail(err, action, hash.error().message));
    Account a;
    a.username = options.username;
    a.role = options.role;
    a.password_hash = std::move(*hash);
    a.languages = split_commas(options.languages);
    a.queues = split_commas(options.queues);
    a.capacity = options.capacity;
    a.reviewer = options.reviewer;
    a.must_change_password = true;
    a.created_at = clock.now();
    auto id = store->create_account(a);
    if (!id) {
      if (id.error().code == ErrorCode::kAlreadyExists)
        return finish(fail(err, action, "the username '" + options.username + "' is taken"));
      return finish(fail(err, action, id.error().message));
    }
    audit(*store, clock, "account.created", *id, {{"role", a.role}, {"reviewer", a.reviewer}});
    out << "Created " << a.role << " '" << a.username << "'. One-time password (shown once, to be changed at "
        << "first login):\n"
        << password << "\n";
    return finish(kExitOk);
  }

  auto found = store->find_account(options.username);
  if (!found) return finish(fail(err, action, found.error().message));
  if (!found->has_value()) return finish(fail(err, action, "no user named '" + options.username + "'"));
  Account a = **found;
  if (action == "disable") {
    a.disabled = true;
    if (Status s = store->update_account(a); !s) return finish(fail(err, action, s.error().message));
    audit(*store, clock, "account.disabled", a.id);
    out << "Disabled '" << a.username << "'.\n";
    return finish(kExitOk);
  }
  if (action == "reset-password") {
    const std::string password = generate_one_time_password();
    auto hash = hasher.hash(password);
    if (!hash) return finish(fail(err, action, hash.error().message));
    a.password_hash = std::move(*hash);
    a.must_change_password = true;
    if (Status s = store->update_account(a); !s) return finish(fail(err, action, s.error().message));
    audit(*store, clock, "account.password_reset", a.id);
    out << "New one-time password for '" << a.username << "' (shown once, to be changed at first login):\n"
        << password << "\n";
    return finish(kExitOk);
  }
  return finish(fail(err, action, "unknown action"));
}

}  // namespace gw::cli
