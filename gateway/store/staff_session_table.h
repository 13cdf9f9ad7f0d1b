// The Store's shared staff-session table (Store::put_staff_session and the
// methods beside it) as StaffSessions' SharedStaffSessionTable, for stores
// shared by several instances.
#pragma once

#include <memory>

#include "gateway/security/staff_sessions.h"
#include "gateway/store/store.h"

namespace gw {

// A table over `store` (which must outlive it) when store.keeps_staff_sessions(),
// else null: StaffSessions then keeps its sessions in memory.
std::unique_ptr<SharedStaffSessionTable> shared_staff_session_table(Store& store);

}  // namespace gw
