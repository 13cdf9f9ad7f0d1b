// The JSON bodies the operator console posts ({"text"}, {"mode"}, {"queue",
// "operator"?}, {"force"?}), read without trusting them: a value of the wrong
// type is a bad request, never an exception.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/core/result.h"

namespace gw {

// `body` as a JSON object; an empty body is {}. kInvalidArgument ("expected a
// JSON object") for anything else.
Result<nlohmann::json> parse_console_body(std::string_view body);

// The string field `name` of `body`; kInvalidArgument (`expected a string
// "name"`) when it is absent or of another type.
Result<std::string> console_string(const nlohmann::json& body, const char* name);

// The boolean field `name` of `body`, or `absent` when it is absent or null;
// kInvalidArgument (`expected true or false for "name"`) for another type.
Result<bool> console_bool(const nlohmann::json& body, const char* name, bool absent);

}  // namespace gw
