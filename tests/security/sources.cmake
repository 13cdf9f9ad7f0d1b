target_sources(gateway_tests PRIVATE
  tests/security/crypto_test.cc
  tests/security/key_file_test.cc
)
