target_sources(gateway_core PRIVATE
  gateway/http/server.cc
  gateway/http/request_head.cc
  gateway/http/connection_stream.cc
  gateway/http/connection_reactor.cc
  gateway/http/tls_io.cc
  gateway/http/health.cc
  gateway/http/metrics_access.cc
  gateway/http/static_assets.cc
  gateway/http/staff_auth.cc
)
