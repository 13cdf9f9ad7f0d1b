// application/x-www-form-urlencoded bodies: what Twilio's REST API takes and what
// its webhooks post to us.
//
// Encoding escapes every byte except the RFC 3986 unreserved set (A-Z a-z 0-9
// - . _ ~) as %XX with upper-case hex, and a space as "%20", never "+". Both
// spellings of a space are valid in a form body; "%20" is the one that also
// means a space in any other URL component, so an encoded value can be reused
// in a query string unchanged.
//
// Decoding accepts both "+" and "%20" as a space (as browsers and Twilio send
// them), so decode(encode(x)) == x for every x, including UTF-8 text, '+',
// '&' and '='.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/core/result.h"

namespace gw {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// "k1=v1&k2=v2" in the order given; repeated keys are kept as they are.
// An empty list gives "".
std::string form_urlencode(const FormFields& fields);

// Parses a form body into (name, value) pairs in order, keeping repeated names.
// Empty segments ("a=1&&b=2", a trailing '&') are skipped; a segment without
// '=' is a name with an empty value. Splitting on '&' and the first '=' happens
// before unescaping, so escaped "%26" and "%3D" stay inside a value.
// Returns kInvalidArgument for a '%' not followed by two hex digits. The error
// message gives the byte offset only, never the body (it may hold a phone number).
Result<FormFields> form_urldecode(std::string_view body);

// How many fields form_urldecode(body) would return, counted without decoding:
// stops counting past `limit` and then returns limit + 1. Linear in the part of
// the body it reads, and allocates nothing.
size_t form_field_count(std::string_view body, size_t limit);

// The first value of `name` in `fields`, or nullptr.
const std::string* form_find(const FormFields& fields, std::string_view name);

}  // namespace gw
