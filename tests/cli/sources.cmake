target_sources(gateway_tests PRIVATE
  tests/cli/cli_test.cc
  tests/cli/service_notify_test.cc
  tests/cli/user_command_test.cc
  tests/cli/db_copy_test.cc
  tests/cli/check_command_test.cc
  tests/cli/simulate_command_test.cc
  tests/cli/content_stats_test.cc
  tests/cli/graph_command_test.cc
  tests/cli/content_command_test.cc
  tests/cli/stats_command_test.cc
)
