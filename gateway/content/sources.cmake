target_sources(gateway_core PRIVATE
  gateway/content/content_dir.cc
)
