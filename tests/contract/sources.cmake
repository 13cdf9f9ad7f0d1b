target_sources(gateway_tests PRIVATE
  tests/contract/twilio_sender_loopback_test.cc
  tests/contract/twilio_contract_test.cc
)
