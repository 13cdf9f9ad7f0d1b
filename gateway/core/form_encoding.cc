#include "gateway/core/form_encoding.h"

#include <curl/curl.h>

#include <climits>
#include <memory>
#include <new>

namespace gw {
namespace {

// curl_easy_escape takes an int length; longer inputs are escaped in chunks.
// The handle argument is ignored since libcurl 7.82, so no handle is needed.
void append_escaped(std::string& out, std::string_view in) {
  constexpr size_t kChunk = 1 << 20;
  while (!in.empty()) {
    const std::string_view part = in.substr(0, kChunk);
    in.remove_prefix(part.size());
    std::unique_ptr<char, decltype(&curl_free)> escaped(
        curl_easy_escape(nullptr, part.data(), static_cast<int>(part.size())), &curl_free);
    if (!escaped) throw std::bad_alloc();  // curl only fails when out of memory
    out += escaped.get();
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Unescapes body[begin, end) into `out`; returns false and the offending offset
// for a malformed escape.
bool unescape(std::string_view body, size_t begin, size_t end, std::string& out, size_t* bad_offset) {
  out.clear();
  out.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) {
    const char c = body[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      const int hi = i + 2 < end ? hex_value(body[i + 1]) : -1;
      const int lo = hi >= 0 ? hex_value(body[i + 2]) : -1;
      if (lo < 0) {
        *bad_offset = i;
        return false;
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return true;
}

}  // namespace

std::string form_urlencode(const FormFields& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    append_escaped(out, name);
    out += '=';
    append_escaped(out, value);
  }
  return out;
}

Result<FormFields> form_urldecode(std::string_view body) {
  FormFields fields;
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t amp = body.find('&', pos);
    if (amp == std::string_view::npos) amp = body.size();
    if (amp > pos) {
      size_t eq = body.find('=', pos);
      if (eq == std::string_view::npos || eq > amp) eq = amp;
      std::string name, value;
      size_t bad = 0;
      if (!unescape(body, pos, eq, name, &bad) || (eq < amp && !unescape(body, eq + 1, amp, value, &bad))) {
        return Error::invalid("form body has a malformed percent-escape at byte " + std::to_string(bad));
      }
      fields.emplace_back(std::move(name), std::move(value));
    }
    pos = amp + 1;
  }
  return fields;
}

size_t form_field_count(std::string_view body, size_t limit) {
  size_t count = 0;
  size_t pos = 0;
  while (pos < body.size() && count <= limit) {
    size_t amp = body.find('&', pos);
    if (amp == std::string_view::npos) amp = body.size();
    if (amp > pos) ++count;
    pos = amp + 1;
  }
  return count;
}

const std::string* form_find(const FormFields& fields, std::string_view name) {
  for (const auto& [n, v] : fields) {
    if (n == name) return &v;
  }
  return nullptr;
}

}  // namespace gw
