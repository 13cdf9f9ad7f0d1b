// Reassurer: the periodic check that nobody waits in silence. A person whose
// handover has been waiting longer than reassure_after_minutes hears once
// (helpdesk.reassure, in their language) that they have not been forgotten.
// Never to someone who has not written for 24 hours (the message would come
// unasked, and on WhatsApp outside the window) nor to someone who opted out.
// Run it from a PeriodicWorker.
#pragma once

#include "gateway/config/queue_config.h"
#include "gateway/core/clock.h"
#include "gateway/core/result.h"
#include "gateway/helpdesk/person_messages.h"
#include "gateway/store/store.h"

namespace gw {

class Reassurer {
 public:
  // Everything passed in must outlive the Reassurer.
  Reassurer(Store& store, Clock& clock, const HelpdeskConfig& config, PersonMessages& messages);

  // One pass: reassures every handover due. Returns how many were sent.
  Result<int> run_once();

 private:
  Store& store_;
  Clock& clock_;
  const HelpdeskConfig& config_;
  PersonMessages& messages_;
};

}  // namespace gw
