target_sources(gateway_core PRIVATE
  gateway/helpdesk/address_mask.cc
  gateway/helpdesk/console_api.cc
  gateway/helpdesk/event_relay.cc
  gateway/helpdesk/dead_letter_api.cc
  gateway/helpdesk/console_body.cc
  gateway/helpdesk/event_stream.cc
  gateway/helpdesk/events.cc
  gateway/helpdesk/helpdesk.cc
  gateway/helpdesk/helpdesk_metrics.cc
  gateway/helpdesk/person_messages.cc
  gateway/helpdesk/reassurer.cc
  gateway/helpdesk/routing.cc
  gateway/helpdesk/stats_api.cc
  gateway/helpdesk/waiting_notice.cc
)
