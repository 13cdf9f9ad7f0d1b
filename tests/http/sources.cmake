target_sources(gateway_tests PRIVATE
  tests/http/promtool_test.cc
  tests/http/server_test.cc
  tests/http/tls_server_test.cc
  tests/http/availability_test.cc
  tests/http/request_head_test.cc
  tests/http/static_assets_test.cc
  tests/http/health_test.cc
  tests/http/staff_auth_test.cc
)
