target_sources(gateway_tests PRIVATE
  tests/content/content_check_test.cc
  tests/content/content_extract_test.cc
  tests/content/flow_files_test.cc
  tests/content/flow_graph_test.cc
  tests/content/icu_message_test.cc
  tests/content/languages_test.cc
  tests/content/po_catalog_test.cc
  tests/content/renderer_test.cc
  tests/content/shipped_content_test.cc
  tests/content/shipped_flows_test.cc
  tests/content/sms_encoding_test.cc
  tests/content/template_catalog_test.cc
)
