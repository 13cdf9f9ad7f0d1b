// Test helper: a strict reader of the Prometheus text format 0.0.4, written from the
// format's description, so tests check what a scraper would see rather than
// comparing strings. It records every rule the text breaks in `errors`.
#pragma once

#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace gw::http::testing {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromFamily {
  std::string name, help, type;
  std::vector<PromSample> samples;
};

struct PromText {
  std::vector<PromFamily> families;
  std::vector<std::string> errors;

  const PromFamily* family(const std::string& name) const {
    for (const auto& f : families) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }

  // The value of the sample called `name` with exactly `labels`.
  std::optional<double> value(const std::string& name,
                              const std::map<std::string, std::string>& labels = {}) const {
    for (const auto& f : families) {
      for (const auto& s : f.samples) {
        if (s.name == name && s.labels == labels) return s.value;
      }
    }
    return std::nullopt;
  }
};

inline bool prom_parse_value(const std::string& s, double* out) {
  if (s == "+Inf") return *out = INFINITY, true;
  if (s == "-Inf") return *out = -INFINITY, true;
  if (s == "NaN") return *out = NAN, true;
  if (s.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

inline PromText parse_prom_text(const std::string& text) {
  PromText out;
  std::set<std::string> seen_help, seen_type;
  if (!text.empty() && text.back() != '\n') out.errors.push_back("text does not end with a newline");
  std::istringstream in(text);
  std::string line;
  auto current = [&]() -> PromFamily* { return out.families.empty() ? nullptr : &out.families.back(); };
  auto open_family = [&](const std::string& name) {
    if (!current() || current()->name != name) {
      for (const auto& f : out.families) {
        if (f.name == name) out.errors.push_back("family " + name + " appears twice");
      }
      out.families.push_back(PromFamily{name, "", "", {}});
    }
  };
  while (std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      const bool help = line[2] == 'H';
      const std::string rest = line.substr(7);
      const auto sp = rest.find(' ');
      const std::string name = rest.substr(0, sp);
      const std::string arg = sp == std::string::npos ? "" : rest.substr(sp + 1);
      auto& seen = help ? seen_help : seen_type;
      if (!seen.insert(name).second)
        out.errors.push_back((help ? "HELP" : "TYPE") + std::string(" twice: ") + name);
      open_family(name);
      if (!current()->samples.empty()) out.errors.push_back("HELP/TYPE after samples: " + name);
      if (help) {
        std::string h;
        for (size_t i = 0; i < arg.size(); ++i) {
          if (arg[i] == '\\' && i + 1 < arg.size() && (arg[i + 1] == '\\' || arg[i + 1] == 'n')) {
            h += arg[i + 1] == 'n' ? '\n' : '\\';
            ++i;
          } else {
            h += arg[i];
          }
        }
        current()->help = h;
      } else {
        current()->type = arg;
        if (arg != "counter" && arg != "gauge" && arg != "histogram" && arg != "summary" &&
            arg != "untyped") {
          out.errors.push_back("unknown type " + arg);
        }
      }
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    PromSample s;
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') s.name += line[i++];
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        std::string key;
        while (i < line.size() && line[i] != '=') key += line[i++];
        if (i + 1 >= line.size() || line[i + 1] != '"') {
          out.errors.push_back("bad label in: " + line);
          break;
        }
        i += 2;
        std::string val;
        for (; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] == '\\') {
            const char e = i + 1 < line.size() ? line[++i] : '?';
            if (e == '\\')
              val += '\\';
            else if (e == '"')
              val += '"';
            else if (e == 'n')
              val += '\n';
            else
              out.errors.push_back("bad escape in: " + line);
          } else {
            val += line[i];
          }
        }
        ++i;  // closing quote
        if (!s.labels.emplace(key, val).second) out.errors.push_back("label twice in: " + line);
        if (i < line.size() && line[i] == ',') ++i;
      }
      ++i;  // closing brace
    }
    if (i >= line.size() || line[i] != ' ') {
      out.errors.push_back("no value in: " + line);
      continue;
    }
    if (!prom_parse_value(line.substr(i + 1), &s.value)) out.errors.push_back("bad value in: " + line);
    PromFamily* f = current();
    const bool belongs =
        f && (s.name == f->name ||
              (f->type == "histogram" && (s.name == f->name + "_bucket" || s.name == f->name + "_sum" ||
                                          s.name == f->name + "_count")));
    if (!belongs) out.errors.push_back("sample outside its family: " + line);
    if (f) f->samples.push_back(std::move(s));
  }
  return out;
}

}  // namespace gw::http::testing
