// JsonReader: reads typed values out of a JSON document while collecting every
// problem with its JSON path ("$.channels[1].auth_token"), so that a
// configuration reports all of its mistakes at once.
//
// String values "env:NAME" are replaced by the environment variable NAME; an
// unset variable is a problem at that path.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gateway/core/env_lookup.h"

namespace gw {

struct ConfigProblem {
  std::string path;
  std::string message;
};

class JsonReader {
 public:
  explicit JsonReader(EnvLookup env) : env_(std::move(env)) {}

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
  std::string path_of(const std::string& key) const;

  // Reports every key of `obj` that is not in `known`.
  void only_keys(const nlohmann::json& obj, std::initializer_list<const char*> known);

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
  const std::vector<ConfigProblem>& problems() const { return problems_; }

 private:
  // Resolves "env:NAME"; records a problem at `path` when NAME is unset or empty.
  bool resolve(const std::string& path, std::string* value);
  static const char* type_name(const nlohmann::json& v);

  EnvLookup env_;
  std::vector<std::string> path_{"$"};
  std::vector<ConfigProblem> problems_;
};

}  // namespace gw
