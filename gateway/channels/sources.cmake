target_sources(gateway_core PRIVATE
  gateway/channels/twilio/twilio_signature.cc
  gateway/channels/twilio/twilio_inbound.cc
  gateway/channels/telegram/telegram_update.cc
)
