// X-Twilio-Signature, checked as Twilio's helper libraries check it.
//
// Twilio signs base64(HMAC-SHA1(auth token, URL + the POST parameters)), where
// the URL is the one it was given (for us: public_url + path + query) and the
// parameters are appended as name+value, names sorted, the values of a
// repeated name sorted too. Because proxies add or drop default ports, a
// signature is accepted for the URL as given, with the default port added,
// and with it removed. JSON bodies (bodySHA256 in the query) sign the URL
// alone, and the body's SHA-256 must match that query parameter.
#pragma once

#include <string>
#include <string_view>

#include "gateway/core/form_encoding.h"

namespace gw {

// The signature Twilio would send for `url` and form `params`.
std::string compute_twilio_signature(std::string_view auth_token, std::string_view url,
                                     const FormFields& params);

// True when `signature` matches for `url` (with or without its default port)
// and `params`. Comparison in constant time.
bool validate_twilio_signature(std::string_view auth_token, std::string_view url, const FormFields& params,
                               std::string_view signature);

// For a request whose body is not a form (e.g. JSON): `url` must carry
// bodySHA256=<hex SHA-256 of body> and the signature covers the URL alone.
bool validate_twilio_body_signature(std::string_view auth_token, std::string_view url, std::string_view body,
                                    std::string_view signature);

// `url` with its default port (:443 for https, :80 for http) added when no port
// is given, or removed when the default is given; other URLs unchanged.
std::string with_default_port(std::string_view url);
std::string without_default_port(std::string_view url);

}  // namespace gw
