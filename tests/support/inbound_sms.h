// InboundSms: SMS as the Twilio channel "uk-sms" hands them over, from a test
// person to the helpline's number, each with a MessageSid of its own.
#pragma once

#include <string>

#include "gateway/messages/inbound_message.h"

namespace gw::testing {

struct InboundSms {
  int next_sid = 0;

  InboundMessage operator()(const std::string& body, const std::string& from = "+447700900123") {
    InboundMessage m;
    m.channel_id = "uk-sms";
    m.from = from;
    m.to = "+447700900000";
    m.body = body;
    m.provider_id = "SM" + std::to_string(++next_sid);
    return m;
  }
};

}  // namespace gw::testing
