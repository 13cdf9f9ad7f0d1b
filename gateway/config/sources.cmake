target_sources(gateway_core PRIVATE
  gateway/config/config.cc
  gateway/config/json_reader.cc
  gateway/config/queue_config.cc
)
