target_sources(gateway_tests PRIVATE
  tests/helpdesk/console_api_test.cc
  tests/helpdesk/dead_letter_api_test.cc
  tests/helpdesk/console_body_test.cc
  tests/helpdesk/helpdesk_test.cc
  tests/helpdesk/helpdesk_stats_test.cc
  tests/helpdesk/never_silence_test.cc
  tests/helpdesk/routing_test.cc
  tests/helpdesk/store_helpdesk_test.cc
)
