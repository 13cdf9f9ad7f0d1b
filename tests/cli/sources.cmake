target_sources(gateway_tests PRIVATE
  tests/cli/cli_test.cc
)
