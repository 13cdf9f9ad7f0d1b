#include "gateway/core/json_reader.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace gw {

using nlohmann::json;

bool is_plain_name(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

std::optional<json> JsonReader::parse(std::string_view text) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    problem(current_path(), std::string("is not valid JSON (") + e.what() + ")");
    return std::nullopt;
  }
}

JsonReader::Scope JsonReader::enter(const std::string& key) {
  path_.push_back(path_of(key));
  return Scope(this);
}

JsonReader::Scope JsonReader::enter_index(const std::string& key, size_t index) {
  path_.push_back(item(path_of(key), index));
  return Scope(this);
}

std::string JsonReader::current_path() const {
  return path_.back();
}

std::string JsonReader::path_of(const std::string& key) const {
  return member(path_.back(), key);
}

std::string JsonReader::member(const std::string& path, const std::string& key) {
  if (is_plain_name(key)) return path + "." + key;
  return path + "[" + json(key).dump() + "]";
}

std::string JsonReader::item(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

void JsonReader::only_keys(const json& obj, std::initializer_list<const char*> known) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const bool ok = std::any_of(known.begin(), known.end(), [&](const char* k) { return it.key() == k; });
    if (!ok) problem(path_of(it.key()), "unknown key");
  }
}

void JsonReader::only_keys_at(const json& obj, const std::string& path, const std::vector<std::string>& known,
                              const std::string& message) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::find(known.begin(), known.end(), it.key()) == known.end())
      problem(member(path, it.key()), message);
  }
}

const char* JsonReader::type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_float:
      return "a number";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    default:
      return "an unsupported value";
  }
}

bool JsonReader::resolve(const std::string& path, std::string* value) {
  if (!env_ || value->rfind("env:", 0) != 0) return true;
  const std::string name = value->substr(4);
  if (name.empty()) {
    problem(path, "\"env:\" must be followed by the name of an environment variable");
    return false;
  }
  auto v = env_(name);
  if (!v || v->empty()) {
    problem(path, "environment variable " + name + " is not set");
    return false;
  }
  *value = *v;
  return true;
}

bool JsonReader::get_string(const json& obj, const std::string& key, std::string* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return false;
  if (!it->is_string()) {
    problem(path_of(key), std::string("must be a string, not ") + type_name(*it));
    return false;
  }
  std::string v = it->get<std::string>();
  if (!resolve(path_of(key), &v)) return false;
  *out = std::move(v);
  return true;
}

bool JsonReader::get_string_list(const json& obj, const std::string& key, std::vector<std::string>* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return false;
  if (!it->is_array()) {
    problem(path_of(key), std::string("must be an array of strings, not ") + type_name(*it));
    return false;
  }
  std::vector<std::string> values;
  bool ok = true;
  for (size_t i = 0; i < it->size(); ++i) {
    const std::string p = item(path_of(key), i);
    if (!(*it)[i].is_string()) {
      problem(p, std::string("must be a string, not ") + type_name((*it)[i]));
      ok = false;
      continue;
    }
    std::string v = (*it)[i].get<std::string>();
    if (!resolve(p, &v)) {
      ok = false;
      continue;
    }
    values.push_back(std::move(v));
  }
  if (ok) *out = std::move(values);
  return ok;
}

bool JsonReader::get_bool(const json& obj, const std::string& key, bool* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return false;
  if (!it->is_boolean()) {
    problem(path_of(key), std::string("must be true or false, not ") + type_name(*it));
    return false;
  }
  *out = it->get<bool>();
  return true;
}

bool JsonReader::get_int64(const json& obj, const std::string& key, int64_t* out, int64_t min, int64_t max) {
  auto it = obj.find(key);
  if (it == obj.end()) return false;
  if (!it->is_number_integer()) {
    problem(path_of(key), std::string("must be an integer, not ") + type_name(*it));
    return false;
  }
  const int64_t v = it->get<int64_t>();
  if (v < min || v > max) {
    problem(path_of(key), "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return false;
  }
  *out = v;
  return true;
}

bool JsonReader::get_int(const json& obj, const std::string& key, int* out, int min, int max) {
  int64_t v = *out;
  if (!get_int64(obj, key, &v, min, max)) return false;
  *out = static_cast<int>(v);
  return true;
}

bool JsonReader::get_double(const json& obj, const std::string& key, double* out, double min, double max) {
  auto it = obj.find(key);
  if (it == obj.end()) return false;
  if (!it->is_number()) {
    problem(path_of(key), std::string("must be a number, not ") + type_name(*it));
    return false;
  }
  const double v = it->get<double>();
  if (v < min || v > max) {
    problem(path_of(key), "must be between " + json(min).dump() + " and " + json(max).dump());
    return false;
  }
  *out = v;
  return true;
}

const json* JsonReader::get_object(const json& obj, const std::string& key) {
  auto it = obj.find(key);
  if (it == obj.end()) return nullptr;
  if (!it->is_object()) {
    problem(path_of(key), std::string("must be an object, not ") + type_name(*it));
    return nullptr;
  }
  return &*it;
}

const json* JsonReader::get_array(const json& obj, const std::string& key) {
  auto it = obj.find(key);
  if (it == obj.end()) return nullptr;
  if (!it->is_array()) {
    problem(path_of(key), std::string("must be an array, not ") + type_name(*it));
    return nullptr;
  }
  return &*it;
}

void JsonReader::problem(std::string path, std::string message) {
  problems_.push_back({std::move(path), std::move(message)});
}

bool JsonReader::has_problem_at(const std::string& path) const {
  return std::any_of(problems_.begin(), problems_.end(),
                     [&](const JsonProblem& p) { return p.path == path; });
}

}  // namespace gw
