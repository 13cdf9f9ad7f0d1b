target_sources(gateway_tests PRIVATE
  tests/support/subprocess.cc
  tests/support/fake_http_client.cc
  tests/support/fake_http_client_test.cc
)
