// The key file: where a SQLite deployment keeps its generated keys when the
// config gives none. It sits beside the database, mode 0600, as JSON:
//   {"data": "<base64 of 32 bytes>", "index": "<base64 of 32 bytes>"}
// and, after a rotation (gateway keys rotate), the keys it replaced, still
// needed to read what was sealed before it and backups taken before it:
//   "data_previous": ["<base64>", ...], "index_previous": "<base64>"
// Losing it makes every encrypted column unreadable; back it up apart from the
// database (a stolen database without the key file reveals nothing).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "gateway/core/result.h"

namespace gw {

struct KeyMaterial {
  std::string data_b64;                    // the active data key
  std::string index_b64;                   // the active index key
  std::vector<std::string> data_previous;  // older data keys, newest first
  std::string index_previous;              // the index key before the last index rotation, or ""

  // The data keys as Crypto::from_keys takes them: the active one first.
  std::vector<std::string> data_keys() const;
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

// A new random key: standard base64 of 32 bytes, as the key file holds them.
std::string generate_key_b64();

// Reads an existing key file, with the same checks.
Result<KeyMaterial> read_key_file(const std::filesystem::path& path);

// Replaces the key file at `path` with `keys`: written to a 0600 temporary file,
// fsynced and renamed over it, so a reader sees the old file or the new one,
// never a mix. Fails (writing nothing) if a key is not base64 of 32 bytes.
Status replace_key_file(const std::filesystem::path& path, const KeyMaterial& keys);

}  // namespace gw
