target_sources(gateway_core PRIVATE
  gateway/content/content_dir.cc
  gateway/content/sms_encoding.cc
  gateway/content/template_catalog.cc
)
