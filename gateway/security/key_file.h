// The key file: where a SQLite deployment keeps its generated keys when the
// config gives none. It sits beside the database, mode 0600, as JSON:
//   {"data": "<base64 of 32 bytes>", "index": "<base64 of 32 bytes>"}
// Losing it makes every encrypted column unreadable; back it up apart from the
// database (a stolen database without the key file reveals nothing).
#pragma once

#include <filesystem>
#include <string>

#include "gateway/core/result.h"

namespace gw {

struct KeyMaterial {
  std::string data_b64;
  std::string index_b64;
};

// If `path` does not exist: creates its parent directories, generates two random
// 32-byte keys and writes them atomically (a temporary file created with mode 0600
// from the start, fsynced, then renamed without replacing a file that appeared
// meanwhile) and sets *created = true.
// If it exists: reads it (*created = false) and fails if its mode grants any
// access to group or others, if it is not a regular file, or if its content is
// not the JSON above with two base64 keys of 32 bytes. Errors never hold a key.
// `created` may be null.
Result<KeyMaterial> load_or_create_key_file(const std::filesystem::path& path, bool* created);

}  // namespace gw
