target_sources(gateway_tests PRIVATE
  tests/security/crypto_test.cc
  tests/security/key_file_test.cc
  tests/security/key_fingerprint_test.cc
  tests/security/password_hasher_test.cc
  tests/security/staff_sessions_test.cc
  tests/security/login_throttle_test.cc
)
