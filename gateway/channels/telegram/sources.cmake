target_sources(gateway_core PRIVATE
  gateway/channels/telegram/telegram_bot_api.cc
  gateway/channels/telegram/telegram_sender.cc
)
