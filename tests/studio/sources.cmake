target_sources(gateway_tests PRIVATE
  tests/studio/content_library_test.cc
  tests/studio/studio_api_test.cc
)
