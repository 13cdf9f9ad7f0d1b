target_sources(gateway_tests PRIVATE
  tests/conversations/conversations_test.cc
)
