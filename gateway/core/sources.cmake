target_sources(gateway_core PRIVATE
  gateway/core/result.cc
  gateway/core/clock.cc
  gateway/core/channel_kinds.cc
  gateway/core/ids.cc
  gateway/core/digest.cc
  gateway/core/backoff.cc
  gateway/core/log.cc
  gateway/core/periodic_worker.cc
  gateway/core/http_client.cc
  gateway/core/curl_http_client.cc
  gateway/core/form_encoding.cc
  gateway/core/address_range.cc
  gateway/core/json_reader.cc
  gateway/core/metrics.cc
  gateway/core/core_metrics.cc
)
