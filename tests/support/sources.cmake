target_sources(gateway_tests PRIVATE
  tests/support/subprocess.cc
  tests/support/serve_gateway.cc
  tests/support/temp_dir.cc
  tests/support/self_signed.cc
  tests/support/pg_test_db.cc
  tests/support/fake_twilio.cc
  tests/support/fake_http_client.cc
  tests/support/fake_http_client_test.cc
  tests/support/serve_gateway_test.cc
  tests/support/fake_twilio_test.cc
)
