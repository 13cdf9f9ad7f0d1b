target_sources(gateway_tests PRIVATE
  tests/channels/twilio/twilio_signature_test.cc
)
