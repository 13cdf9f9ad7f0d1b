target_sources(gateway_tests PRIVATE
  tests/stats/iso_week_test.cc
  tests/stats/stats_report_test.cc
  tests/stats/stats_format_test.cc
  tests/stats/suppression_attack_test.cc
)
