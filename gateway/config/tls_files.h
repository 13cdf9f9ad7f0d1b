// Checks the certificate and private key a TLS listener is configured with, when the
// configuration is loaded, so that a wrong path or a mismatched pair stops the start
// with a one-line reason instead of failing at the first HTTPS client.
#pragma once

#include <string>

#include "gateway/core/result.h"

namespace gw {

// OK when `certificate` is a readable PEM file starting with an X.509 certificate
// (a chain may follow), `private_key` a readable unencrypted PEM private key, and the
// key is the certificate's. Otherwise kInvalidArgument with one line naming the file
// and what is wrong with it. An encrypted key is refused without asking for a
// passphrase (the gateway starts unattended).
Status check_tls_files(const std::string& certificate, const std::string& private_key);

}  // namespace gw
