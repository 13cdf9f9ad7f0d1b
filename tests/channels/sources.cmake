target_sources(gateway_tests PRIVATE
  tests/channels/twilio/twilio_signature_test.cc
  tests/channels/twilio/twilio_inbound_test.cc
  tests/channels/twilio/twilio_status_test.cc
  tests/channels/telegram/telegram_update_test.cc
  tests/channels/twilio/twilio_messages_api_test.cc
  tests/channels/twilio/twilio_sender_test.cc
  tests/channels/outbox_worker_test.cc
  tests/channels/webhook_routes_test.cc
  tests/channels/web/simulator_routes_test.cc
  tests/channels/web/simulator_sessions_test.cc
  tests/channels/web/simulator_request_test.cc
)
include(tests/channels/telegram/sources.cmake)
include(tests/contract/sources.cmake)
