target_sources(gateway_tests PRIVATE
  tests/studio/content_library_test.cc
)
