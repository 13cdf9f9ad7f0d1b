target_sources(gateway_tests PRIVATE
  tests/messages/inbound_message_test.cc
)
