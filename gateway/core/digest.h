// Hashes, MACs, base64 and constant-time comparison, from OpenSSL.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gw {

// Raw digests (not hex).
std::string sha256(std::string_view data);
std::string hmac_sha1(std::string_view key, std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);

// Standard base64 with padding.
std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not valid padded standard base64.
std::optional<std::string> base64_decode(std::string_view text);

// Compares in time that depends only on the lengths, for secrets and MACs.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace gw
