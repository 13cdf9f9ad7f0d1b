target_sources(gateway_tests PRIVATE
  tests/conversations/conversations_test.cc
  tests/conversations/consent_erase_test.cc
  tests/conversations/crisis_test.cc
  tests/conversations/consent_flow_test.cc
  tests/conversations/intake_test.cc
  tests/conversations/intake_worker_test.cc
  tests/conversations/same_replies_test.cc
  tests/conversations/store_lock_test.cc
  tests/conversations/stats_count_test.cc
)
