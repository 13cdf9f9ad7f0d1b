// Whether this test binary runs under AddressSanitizer, whose allocator replaces
// glibc's (mallopt has no effect on it) and keeps freed memory in a quarantine:
// tests of the process's memory bound it differently there.
#pragma once

namespace gw::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

}  // namespace gw::testing
