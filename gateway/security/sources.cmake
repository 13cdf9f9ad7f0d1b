target_sources(gateway_core PRIVATE
  gateway/security/crypto.cc
  gateway/security/key_file.cc
  gateway/security/key_fingerprint.cc
  gateway/security/password_hasher.cc
  gateway/security/staff_sessions.cc
  gateway/security/login_throttle.cc
)
