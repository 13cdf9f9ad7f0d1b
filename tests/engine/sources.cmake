target_sources(gateway_tests PRIVATE
  tests/engine/input_match_test.cc
  tests/engine/flow_parser_test.cc
  tests/engine/flow_check_test.cc
  tests/engine/session_test.cc
  tests/engine/engine_test.cc
  tests/engine/engine_globals_test.cc
  tests/engine/engine_crisis_test.cc
  tests/engine/stat_tag_test.cc
)
