target_sources(gateway_core PRIVATE
  gateway/config/config.cc
  gateway/config/default_content_dir.cc
  gateway/config/queue_config.cc
  gateway/config/tls_files.cc
)
