target_sources(gateway_tests PRIVATE
  tests/content/sms_encoding_test.cc
)
