// Routing: which waiting conversation an operator is offered, who may open
// which conversation, and how waiting conversations are spread over free
// operators. Pure functions over plain data: no store, no clock.
//
// Order of the queue: highest priority first (urgent > high > normal), then
// the one waiting longest. An operator is offered conversations from their own
// queues only (supervisors and admins: every queue), in a language they speak
// when there is one (an operator who lists no languages takes any).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/result.h"
#include "gateway/store/records.h"

namespace gw {

// What routing needs to know of a staff member.
struct OperatorView {
  int64_t id = 0;
  std::string role = "operator";       // "operator" | "supervisor" | "editor" | "admin"
  std::vector<std::string> languages;  // empty: takes any language
  std::vector<std::string> queues;     // the queues they work in
  int capacity = 1;                    // conversations they handle at once
};

// Supervisors and admins see and may take over every queue.
bool sees_every_queue(const OperatorView& op);
// Whether `op` may open (read, take, answer) the conversation of `h`.
bool can_open(const OperatorView& op, const Handover& h);
// What an operator is told about a handover they may not open: exactly what the
// store says of one that does not exist, so that ids cannot be probed.
Error no_such_handover(int64_t id);
// A change of who holds a conversation, as one of the helpdesk's actions asks it.
enum class HolderChangeKind {
  kTake,      // the actor takes it (assign; with `force`, from whoever holds it)
  kTransfer,  // to `queue`, waiting there or held by `to`
  kRelease,   // nobody holds it any more (close)
};
struct HolderChange {
  HolderChangeKind kind = HolderChangeKind::kTake;
  std::string queue;               // the queue it is in afterwards (kTransfer; others keep theirs)
  std::optional<OperatorView> to;  // who holds it afterwards (kTake: the actor; kTransfer: optional)
  bool force = false;              // kTake only: take it from the operator who holds it
};

// The one rule for every action that changes who holds the conversation of `h`
// (assign, force assign, transfer, close: the Helpdesk asks nothing else):
//   - `actor` must be able to open it, else no_such_handover (nothing to probe);
//   - `force` is for supervisors and admins only (kPermissionDenied);
//   - a conversation another operator holds is theirs: taking it without
//     `force` is kAlreadyExists, and an operator may neither transfer nor
//     release it (kPermissionDenied); supervisors and admins may;
//   - an operator releases only what they hold (a waiting one is nobody's);
//   - whoever holds it afterwards must be able to open it in its queue then:
//     a console role (not an editor) working in that queue, else
//     kInvalidArgument, so that no conversation is left with someone who
//     cannot see it.
Status check_holder_change(const OperatorView& actor, const Handover& h, const HolderChange& change);

// Whether `op` speaks `language` (an empty language or language list: yes).
// "fa-AF" matches "fa".
bool speaks(const OperatorView& op, const std::string& language);
// 0 for urgent, 1 high, 2 normal (and anything unknown).
int priority_rank(const std::string& priority);
// True when `a` comes before `b` in the queue.
bool before_in_queue(const Handover& a, const Handover& b);

// The waiting handover `op` should take next, or nullopt when there is none
// they may take. Handovers in other states are ignored.
std::optional<Handover> next_for(const OperatorView& op, const std::vector<Handover>& open);

// How many of `open` are assigned to operator `operator_id`.
int assigned_count(int64_t operator_id, const std::vector<Handover>& open);

// Waiting handovers given to operators with room, in queue order: each goes to
// an operator who may open it and has fewer than `capacity` assigned,
// preferring one who speaks its language, then the least busy, then the lower
// id. Returns (handover id, operator id) pairs.
std::vector<std::pair<int64_t, int64_t>> plan_auto_assignment(const std::vector<OperatorView>& operators,
                                                              const std::vector<Handover>& open);

}  // namespace gw
