target_sources(gateway_core PRIVATE
  gateway/studio/content_library.cc
  gateway/studio/studio_api.cc
)
