target_sources(gateway_tests PRIVATE
)
