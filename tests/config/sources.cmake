target_sources(gateway_tests PRIVATE
  tests/config/config_test.cc
  tests/config/default_content_dir_test.cc
  tests/config/queue_config_test.cc
  tests/config/tls_config_test.cc
)
