#include "gateway/security/key_file.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>
#include <vector>

#include "gateway/core/digest.h"
#include "gateway/core/ids.h"
#include "gateway/security/crypto.h"

namespace gw {
namespace {

namespace fs = std::filesystem;

std::string errno_text(int err) {
  return std::strerror(err);
}

Status write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::io("writing key file: " + errno_text(errno));
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

// Makes the rename durable: the directory entry lives in the parent directory.
void fsync_dir(const fs::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

Result<std::string> check_key(const nlohmann::json& doc, const char* field, const fs::path& path) {
  const auto it = doc.find(field);
  if (it == doc.end() || !it->is_string()) {
    return Error::invalid("key file " + path.string() + ": \"" + field + "\" is missing or not a string");
  }
  std::string b64 = it->get<std::string>();
  auto raw = base64_decode(b64);
  if (!raw || raw->size() != Crypto::kKeySize) {
    if (raw) OPENSSL_cleanse(raw->data(), raw->size());
    return Error::invalid("key file " + path.string() + ": \"" + field + "\" is not base64 of 32 bytes");
  }
  OPENSSL_cleanse(raw->data(), raw->size());
  return b64;
}

// Writes `content` to a fresh 0600 temporary file beside `path`, then moves it
// into place without replacing a file that another process created meanwhile.
// Returns false in *published when such a file already existed.
Status publish(const fs::path& path, const std::string& content, bool* published, bool replace = false) {
  const fs::path tmp = path.string() + ".tmp-" + random_id(6);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Error::io("creating " + tmp.string() + ": " + errno_text(errno));
  Status st = write_all(fd, content);
  if (st && ::fsync(fd) != 0) st = Error::io("fsync of key file failed: " + errno_text(errno));
  if (::close(fd) != 0 && st) st = Error::io("closing key file failed: " + errno_text(errno));
  if (!st) {
    ::unlink(tmp.c_str());
    return st;
  }
  int rc = replace ? ::rename(tmp.c_str(), path.c_str())
                   : ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE);
  if (rc != 0 && !replace && (errno == EINVAL || errno == ENOSYS)) rc = ::rename(tmp.c_str(), path.c_str());
  if (rc != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    if (err == EEXIST) {
      *published = false;
      return {};
    }
    return Error::io("renaming key file into " + path.string() + ": " + errno_text(err));
  }
  fsync_dir(path.parent_path());
  *published = true;
  return {};
}


std::string key_file_content(const KeyMaterial& keys) {
  nlohmann::json doc = {{"data", keys.data_b64}, {"index", keys.index_b64}};
  if (!keys.data_previous.empty()) doc["data_previous"] = keys.data_previous;
  if (!keys.index_previous.empty()) doc["index_previous"] = keys.index_previous;
  return doc.dump(2) + "\n";
}

}  // namespace

std::string generate_key_b64() { return base64_encode(random_bytes(Crypto::kKeySize)); }

std::vector<std::string> KeyMaterial::data_keys() const {
  std::vector<std::string> all = {data_b64};
  all.insert(all.end(), data_previous.begin(), data_previous.end());
  return all;
}

Result<KeyMaterial> read_key_file(const fs::path& path) {
  try {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return Error::io("key file " + path.string() + ": " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) return Error::invalid("key file " + path.string() + " is not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Error::denied("key file " + path.string() + " has mode " + mode +
                         ", which lets other users read it; run chmod 600 on it");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::io("key file " + path.string() + " cannot be opened");
  std::stringstream buf;
  buf << in.rdbuf();
  const nlohmann::json doc = nlohmann::json::parse(buf.str(), nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return Error::invalid("key file " + path.string() + " is not a JSON object");
  auto data = check_key(doc, "data", path);
  if (!data) return data.error();
  auto index = check_key(doc, "index", path);
  if (!index) return index.error();
  KeyMaterial keys{std::move(*data), std::move(*index), {}, {}};
  if (const auto it = doc.find("data_previous"); it != doc.end()) {
    if (!it->is_array()) {
      return Error::invalid("key file " + path.string() + ": \"data_previous\" is not an array");
    }
    for (size_t i = 0; i < it->size(); ++i) {
      const nlohmann::json one = {{"data_previous", (*it)[i]}};
      auto k = check_key(one, "data_previous", path);
      if (!k) return Error::invalid(k.error().message + " (item " + std::to_string(i + 1) + ")");
      keys.data_previous.push_back(std::move(*k));
    }
  }
  if (doc.contains("index_previous")) {
    auto k = check_key(doc, "index_previous", path);
    if (!k) return k.error();
    keys.index_previous = std::move(*k);
  }
  return keys;
  } catch (const std::exception& e) {
    return Error::io(std::string("key file ") + path.string() + ": " + e.what());
  }
}

Result<KeyMaterial> load_or_create_key_file(const fs::path& path, bool* created) {
  if (created) *created = false;
  try {
    std::error_code ec;
    if (fs::exists(path, ec)) return read_key_file(path);
    if (!path.parent_path().empty()) {
      fs::create_directories(path.parent_path(), ec);
      if (ec) return Error::io("creating directory " + path.parent_path().string() + ": " + ec.message());
    }
    KeyMaterial keys{generate_key_b64(), generate_key_b64(), {}, {}};
    std::string content = key_file_content(keys);
    bool published = false;
    Status st = publish(path, content, &published);
    OPENSSL_cleanse(content.data(), content.size());
    if (!st) return st.error();
    if (!published) return read_key_file(path);  // another process won the race
    if (created) *created = true;
    return keys;
  } catch (const std::exception& e) {
    return Error::io(std::string("key file ") + path.string() + ": " + e.what());
  }
}

Status replace_key_file(const fs::path& path, const KeyMaterial& keys) {
  try {
    std::vector<std::pair<const char*, const std::string*>> all = {{"data", &keys.data_b64},
                                                                   {"index", &keys.index_b64}};
    if (!keys.index_previous.empty()) all.emplace_back("index_previous", &keys.index_previous);
    for (const auto& k : keys.data_previous) all.emplace_back("data_previous", &k);
    for (const auto& [field, b64] : all) {
      if (auto k = check_key(nlohmann::json{{field, *b64}}, field, path); !k) return k.error();
    }
    std::string content = key_file_content(keys);
    bool published = false;
    Status st = publish(path, content, &published, /*replace=*/true);
    OPENSSL_cleanse(content.data(), content.size());
    return st;
  } catch (const std::exception& e) {
    return Error::io(std::string("key file ") + path.string() + ": " + e.what());
  }
}

}  // namespace gw
