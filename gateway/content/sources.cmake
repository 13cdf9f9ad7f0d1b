target_sources(gateway_core PRIVATE
  gateway/content/content_check.cc
  gateway/content/content_dir.cc
  gateway/content/content_extract.cc
  gateway/content/content_set.cc
  gateway/content/flow_files.cc
  gateway/content/flow_graph.cc
  gateway/content/discretion.cc
  gateway/content/gettext_po_session.cc
  gateway/content/icu_message.cc
  gateway/content/languages.cc
  gateway/content/po_catalog.cc
  gateway/content/renderer.cc
  gateway/content/reply_composer.cc
  gateway/content/sms_encoding.cc
  gateway/content/template_catalog.cc
)
