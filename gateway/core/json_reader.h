// JsonReader: reads typed values out of a JSON document while collecting every
// problem with its JSON path ("$.channels[1].auth_token", `$.nodes["a b"]`), so
// that a document reports all of its mistakes at once. The configuration
// (config/config.cc) and the flow files (engine/flow_parser.cc) are both read
// with it; each adds its own checks of what a value means.
//
// Given an EnvLookup, string values "env:NAME" are replaced by the environment
// variable NAME and an unset variable is a problem at that path; without one,
// strings are taken as written.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/env_lookup.h"

namespace gw {

struct JsonProblem {
  std::string path;
  std::string message;
};

// A plain name: 1 to 64 ASCII letters, digits, '_' or '-'. Such a key is written
// "$.key" in a path (any other "$[\"key\"]"); flow ids, node ids and queue names
// are such names too.
bool is_plain_name(const std::string& s);

class JsonReader {
 public:
  // Strings are taken as written.
  JsonReader() = default;
  // Strings "env:NAME" are read from `env`.
  explicit JsonReader(EnvLookup env) : env_(std::move(env)) {}

  // The document in `text`; nullopt after recording "is not valid JSON (<the
  // parser's explanation>)" at the current path.
  std::optional<nlohmann::json> parse(std::string_view text);

  // RAII scope: paths built inside it are relative to the entered key.
  class Scope {
   public:
    explicit Scope(JsonReader* r) : r_(r) {}
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    ~Scope() { r_->path_.pop_back(); }

   private:
    JsonReader* r_;
  };
  [[nodiscard]] Scope enter(const std::string& key);
  [[nodiscard]] Scope enter_index(const std::string& key, size_t index);

  std::string current_path() const;
  // member(current_path(), key).
  std::string path_of(const std::string& key) const;

  // The path of `key` under `path`: `path.key`, or `path["key"]` (JSON-quoted)
  // when the key is not a name of 1 to 64 letters, digits, '_' or '-'.
  static std::string member(const std::string& path, const std::string& key);
  // The path of element `index` under `path`: `path[index]`.
  static std::string item(const std::string& path, size_t index);

  // Reports every key of `obj` that is not in `known`, as "unknown key".
  void only_keys(const nlohmann::json& obj, std::initializer_list<const char*> known);
  // Reports every key of `obj` (found at `path`) that is not in `known`, as `message`.
  void only_keys_at(const nlohmann::json& obj, const std::string& path, const std::vector<std::string>& known,
                    const std::string& message);

  // Each getter leaves *out unchanged and returns false when the key is
  // absent; records a problem and returns false when it has the wrong type.
  bool get_string(const nlohmann::json& obj, const std::string& key, std::string* out);
  bool get_string_list(const nlohmann::json& obj, const std::string& key, std::vector<std::string>* out);
  bool get_bool(const nlohmann::json& obj, const std::string& key, bool* out);
  bool get_int(const nlohmann::json& obj, const std::string& key, int* out, int min, int max);
  bool get_int64(const nlohmann::json& obj, const std::string& key, int64_t* out, int64_t min, int64_t max);
  bool get_double(const nlohmann::json& obj, const std::string& key, double* out, double min, double max);
  const nlohmann::json* get_object(const nlohmann::json& obj, const std::string& key);
  const nlohmann::json* get_array(const nlohmann::json& obj, const std::string& key);

  void problem(std::string path, std::string message);
  bool has_problem_at(const std::string& path) const;
  // In the order they were recorded.
  const std::vector<JsonProblem>& problems() const { return problems_; }

 private:
  // Resolves "env:NAME" when there is an EnvLookup; records a problem at `path`
  // when NAME is unset or empty.
  bool resolve(const std::string& path, std::string* value);
  static const char* type_name(const nlohmann::json& v);

  EnvLookup env_;
  std::vector<std::string> path_{"$"};
  std::vector<JsonProblem> problems_;
};

}  // namespace gw
