target_sources(gateway_tests PRIVATE
  tests/core/result_test.cc
  tests/core/clock_test.cc
  tests/core/channel_kinds_test.cc
  tests/core/log_test.cc
  tests/core/digest_test.cc
  tests/core/backoff_test.cc
  tests/core/periodic_worker_test.cc
  tests/core/curl_http_client_test.cc
  tests/core/curl_http_client_tls_test.cc
  tests/core/form_encoding_test.cc
  tests/core/metrics_test.cc
  tests/core/address_range_test.cc
  tests/core/json_reader_test.cc
)
