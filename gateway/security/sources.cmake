target_sources(gateway_core PRIVATE
  gateway/security/crypto.cc
  gateway/security/key_file.cc
)
