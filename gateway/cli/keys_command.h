// `gateway keys rotate` and `gateway keys status` (store/key_rotation.h).
//
// rotate: with keys in the key file (SQLite without keys in the configuration)
// it makes a new data key (and with --index a new index key), writes the file
// with the old keys kept as data_previous / index_previous, waits until every
// serving process reports the new keys (they read the changed file within a
// second or two), then re-seals every stored value with the new data key in
// batches, and with --index rebuilds every contact's address hash. With keys in
// the configuration it cannot change them: the configuration names the new
// active key (keys.data, the old one in keys.data_previous; for --index
// keys.index and keys.index_previous), every instance is restarted with it, and
// rotate does the rest. Progress is printed as it goes and kept in the database,
// where /readyz reads it: a rotation that stops (a crash, Ctrl-C, an error)
// stays unfinished until `gateway keys rotate` is run again, which takes it up
// where it stopped. At the end it says which old keys no longer seal anything.
//
// status: the keys loaded, how many stored values each seals, the rotation in
// progress and the serving processes with their keys.
//
// Nothing either prints holds a key, an address or a message body.
#pragma once

#include <ostream>
#include <string>

namespace gw::cli {

struct KeysOptions {
  std::string config_path;  // default: the embedded default
  bool index = false;       // rotate the index key too
  int batch = 500;          // values per transaction
  int pause_ms = 0;         // between batches
  int wait_s = 60;          // for the serving processes to take the new keys
};

int run_keys_rotate(const KeysOptions& options, std::ostream& out, std::ostream& err);
int run_keys_status(const KeysOptions& options, std::ostream& out, std::ostream& err);

}  // namespace gw::cli
