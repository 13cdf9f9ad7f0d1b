target_sources(gateway_core PRIVATE
  gateway/channels/twilio/twilio_signature.cc
  gateway/channels/twilio/twilio_inbound.cc
  gateway/channels/twilio/twilio_status.cc
  gateway/channels/telegram/telegram_update.cc
  gateway/channels/twilio/twilio_messages_api.cc
  gateway/channels/twilio/twilio_sender.cc
  gateway/channels/outbox_worker.cc
  gateway/channels/webhook_routes.cc
  gateway/channels/channel_workers.cc
  gateway/channels/web/simulator_routes.cc
  gateway/channels/web/simulator_sessions.cc
  gateway/channels/web/simulator_request.cc
)
include(gateway/channels/telegram/sources.cmake)
