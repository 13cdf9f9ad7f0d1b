#include "gateway/helpdesk/routing.h"

#include <algorithm>
#include <map>

namespace gw {

bool sees_every_queue(const OperatorView& op) {
  return op.role == "supervisor" || op.role == "admin";
}

Error no_such_handover(int64_t id) {
  return Error::not_found("no handover " + std::to_string(id));
}

bool can_open(const OperatorView& op, const Handover& h) {
  if (sees_every_queue(op)) return true;
  if (op.role != "operator") return false;
  return std::find(op.queues.begin(), op.queues.end(), h.queue) != op.queues.end();
}

Status check_holder_change(const OperatorView& actor, const Handover& h, const HolderChange& change) {
  if (!can_open(actor, h)) return no_such_handover(h.id);
  const std::string id = std::to_string(h.id);
  const bool supervises = sees_every_queue(actor);
  const bool force = change.kind == HolderChangeKind::kTake && change.force;
  if (force && !supervises) return Error::denied("only supervisors and admins take over conversations");
  const bool held = h.state == "assigned" && h.operator_id.has_value();
  const bool held_by_other = held && *h.operator_id != actor.id;
  switch (change.kind) {
    case HolderChangeKind::kTake:
      if (held_by_other && !force) return Error::exists("handover " + id + " was taken by another operator");
      break;
    case HolderChangeKind::kTransfer:
      if (held_by_other && !supervises)
        return Error::denied("handover " + id + " is assigned to another operator");
      break;
    case HolderChangeKind::kRelease:
      if (!supervises && !(held && !held_by_other))
        return Error::denied("handover " + id + " is not assigned to you");
      break;
  }
  // Who holds it afterwards, if anyone.
  const OperatorView* next = change.kind == HolderChangeKind::kTake ? &actor : nullptr;
  if (change.kind == HolderChangeKind::kTransfer && change.to) next = &*change.to;
  if (!next) return {};
  Handover after = h;
  if (change.kind == HolderChangeKind::kTransfer) after.queue = change.queue;
  if (!can_open(*next, after)) {
    if (next->id == actor.id) return Error::denied("you do not work in queue \"" + after.queue + "\"");
    return Error::invalid("that account cannot take conversations of queue \"" + after.queue + "\"");
  }
  return {};
}

bool speaks(const OperatorView& op, const std::string& language) {
  if (language.empty() || op.languages.empty()) return true;
  const std::string base = language.substr(0, language.find('-'));
  for (const std::string& l : op.languages) {
    if (l == language || l == base || l.substr(0, l.find('-')) == base) return true;
  }
  return false;
}

int priority_rank(const std::string& priority) {
  if (priority == "urgent") return 0;
  if (priority == "high") return 1;
  return 2;
}

bool before_in_queue(const Handover& a, const Handover& b) {
  const int ra = priority_rank(a.priority), rb = priority_rank(b.priority);
  if (ra != rb) return ra < rb;
  if (a.created_at != b.created_at) return a.created_at < b.created_at;
  return a.id < b.id;
}

std::optional<Handover> next_for(const OperatorView& op, const std::vector<Handover>& open) {
  const Handover* best = nullptr;
  bool best_speaks = false;
  for (const Handover& h : open) {
    if (h.state != "waiting" || !can_open(op, h)) continue;
    const bool s = speaks(op, h.language);
    // A conversation in their language first; within that, queue order.
    if (!best || (s && !best_speaks) || (s == best_speaks && before_in_queue(h, *best))) {
      best = &h;
      best_speaks = s;
    }
  }
  if (!best) return std::nullopt;
  return *best;
}

int assigned_count(int64_t operator_id, const std::vector<Handover>& open) {
  return static_cast<int>(std::count_if(open.begin(), open.end(), [&](const Handover& h) {
    return h.state == "assigned" && h.operator_id == operator_id;
  }));
}

std::vector<std::pair<int64_t, int64_t>> plan_auto_assignment(const std::vector<OperatorView>& operators,
                                                              const std::vector<Handover>& open) {
  std::map<int64_t, int> load;
  for (const OperatorView& op : operators) load[op.id] = assigned_count(op.id, open);
  std::vector<const Handover*> waiting;
  for (const Handover& h : open) {
    if (h.state == "waiting") waiting.push_back(&h);
  }
  std::sort(waiting.begin(), waiting.end(),
            [](const Handover* a, const Handover* b) { return before_in_queue(*a, *b); });
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const Handover* h : waiting) {
    const OperatorView* best = nullptr;
    for (const OperatorView& op : operators) {
      if (!can_open(op, *h) || load[op.id] >= op.capacity) continue;
      if (!best) {
        best = &op;
        continue;
      }
      const bool s = speaks(op, h->language), bs = speaks(*best, h->language);
      if (s != bs) {
        if (s) best = &op;
        continue;
      }
      if (load[op.id] != load[best->id]) {
        if (load[op.id] < load[best->id]) best = &op;
        continue;
      }
      if (op.id < best->id) best = &op;
    }
    if (!best) continue;
    ++load[best->id];
    out.emplace_back(h->id, best->id);
  }
  return out;
}

}  // namespace gw
