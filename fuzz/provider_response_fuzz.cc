// What Twilio's and Telegram's APIs answer to a send: classifying any answer
// never crashes (nor throws), and a retry is never parked for more than a day.
// The first byte picks the HTTP status; the first line is a Retry-After header.
#include <array>

#include "fuzz/fuzz_check.h"
#include "gateway/channels/telegram/telegram_bot_api.h"
#include "gateway/channels/twilio/twilio_messages_api.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const std::array<int, 10> kStatuses = {200, 201, 204, 400, 401, 403, 404, 429, 500, 503};
  std::string_view in = gw::fuzz::text(data + 1, size - 1);
  gw::HttpResponse r;
  r.status = kStatuses[data[0] % kStatuses.size()];
  r.headers.emplace_back("retry-after", std::string(gw::fuzz::take_until(in, '\n')));
  r.body = std::string(in);
  for (const gw::SendOutcome& out : {gw::classify_twilio_response(r), gw::classify_telegram_response(r)}) {
    if (out.retry_after)
      FUZZ_CHECK(out.retry_after->count() >= 0 && *out.retry_after <= std::chrono::hours(24));
  }
  return 0;
}
