target_sources(gateway_core PRIVATE
)
