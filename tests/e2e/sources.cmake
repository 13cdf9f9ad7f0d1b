target_sources(gateway_tests PRIVATE
  tests/e2e/serve_twilio_e2e_test.cc
  tests/e2e/restart_e2e_test.cc
  tests/e2e/backup_e2e_test.cc
  tests/e2e/key_rotation_e2e_test.cc
  tests/e2e/soak_e2e_test.cc
  tests/e2e/login_memory_e2e_test.cc
  tests/e2e/stats_e2e_test.cc
  tests/e2e/multi_instance_e2e_test.cc
)
