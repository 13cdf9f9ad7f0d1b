target_sources(gateway_core PRIVATE
  gateway/messages/inbound_message.cc
)
