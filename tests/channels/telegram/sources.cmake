target_sources(gateway_tests PRIVATE
  tests/channels/telegram/telegram_bot_api_test.cc
  tests/channels/telegram/telegram_sender_test.cc
)
