target_sources(gateway_tests PRIVATE
  tests/support/subprocess.cc
)
