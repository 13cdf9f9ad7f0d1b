#include "gateway/core/curl_http_client.h"

#include <curl/curl.h>

#include <array>
#include <memory>
#include <new>
#include <string_view>

namespace gw {
namespace {

// Response headers beyond this total are treated like an oversized body: a
// server streaming endless headers must not grow memory without bound.
constexpr size_t kMaxHeaderBytes = 256 * 1024;

constexpr std::array<std::string_view, 6> kMethods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};

std::once_flag g_init_once;
CURLcode g_init_result = CURLE_FAILED_INIT;

bool global_init() {
  std::call_once(g_init_once, [] { g_init_result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return g_init_result == CURLE_OK;
}

// What the libcurl callbacks fill in during one transfer.
struct Transfer {
  HttpResponse response;
  size_t max_body = 0;
  size_t header_bytes = 0;
  bool too_large = false;
  bool out_of_memory = false;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Callbacks run inside libcurl's C code: they must not throw, so allocation
// failures are recorded and the transfer aborted by returning a short count.
size_t on_body(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * nmemb;
  if (n > t->max_body - t->response.body.size()) {
    t->too_large = true;
    return 0;
  }
  try {
    t->response.body.append(data, n);
  } catch (...) {
    t->out_of_memory = true;
    return 0;
  }
  return n;
}

size_t on_header(char* data, size_t size, size_t nitems, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * nitems;
  t->header_bytes += n;
  if (t->header_bytes > kMaxHeaderBytes) {
    t->too_large = true;
    return 0;
  }
  try {
    std::string_view line(data, n);
    HttpHeaders& headers = t->response.headers;
    if (line.rfind("HTTP/", 0) == 0) {
      headers.clear();  // a new status line: drop the headers of a 1xx interim response
    } else if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (!headers.empty() && !trim(line).empty()) {  // obsolete line folding
        headers.back().second += ' ';
        headers.back().second += trim(line);
      }
    } else if (const size_t colon = line.find(':'); colon != std::string_view::npos && colon > 0) {
      headers.emplace_back(ascii_lower(trim(line.substr(0, colon))),
                           std::string(trim(line.substr(colon + 1))));
    }
  } catch (...) {
    t->out_of_memory = true;
    return 0;
  }
  return n;
}

bool has_control_break(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != s.npos;
}

bool has_header(const HttpHeaders& headers, std::string_view lower_name) {
  for (const auto& [name, value] : headers) {
    if (ascii_lower(name) == lower_name) return true;
  }
  return false;
}

Status validate(const HttpRequest& r) {
  bool known = false;
  for (std::string_view m : kMethods) known = known || r.method == m;
  if (!known) return Error::invalid("unsupported HTTP method");
  if ((r.method == "GET" || r.method == "HEAD") && !r.body.empty()) {
    return Error::invalid(r.method + " request cannot carry a body");
  }
  if (r.timeout.count() <= 0 || r.connect_timeout.count() <= 0) {
    return Error::invalid("HTTP request timeouts must be positive");
  }
  for (const auto& [name, value] : r.headers) {
    if (name.empty() || name.find_first_of(": \t") != std::string::npos || has_control_break(name) ||
        has_control_break(value)) {
      return Error::invalid("HTTP request header has an invalid name or a line break in its value");
    }
  }
  if (has_control_break(r.basic_user) || has_control_break(r.basic_password)) {
    return Error::invalid("basic auth credentials contain a line break");
  }
  return ok_status();
}

// Owners for the C resources of one request.
struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct CurlStrDeleter {
  void operator()(char* s) const { curl_free(s); }
};
using UrlPtr = std::unique_ptr<CURLU, UrlDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;
using CurlStr = std::unique_ptr<char, CurlStrDeleter>;

std::string url_part(CURLU* u, CURLUPart part) {
  char* raw = nullptr;
  if (curl_url_get(u, part, &raw, 0) != CURLUE_OK || raw == nullptr) return "";
  CurlStr owned(raw);
  return owned.get();
}

bool append_header(SlistPtr& list, const std::string& line) {
  curl_slist* next = curl_slist_append(list.get(), line.c_str());
  if (next == nullptr) return false;
  list.release();
  list.reset(next);
  return true;
}

Error map_error(CURLcode rc, const Transfer& t, const std::string& method, const std::string& host) {
  const std::string what = method + " " + host + ": ";
  if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED) return Error::io(what + "response too large");
  if (t.out_of_memory) return Error::internal(what + "out of memory");
  switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
      return Error::timeout(what + curl_easy_strerror(rc));
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_PROXY:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_BAD_CONTENT_ENCODING:
      return Error::unavailable(what + curl_easy_strerror(rc));
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Error::invalid(what + curl_easy_strerror(rc));
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
      return Error::invalid(what + "the configured CA file could not be used");
    default:
      return Error::internal(what + curl_easy_strerror(rc));
  }
}

}  // namespace

CurlHttpClient::CurlHttpClient() : CurlHttpClient(Options{}) {}

CurlHttpClient::CurlHttpClient(Options options) : options_(std::move(options)) {}

CurlHttpClient::~CurlHttpClient() {
  for (EasyHandle h : idle_) curl_easy_cleanup(h);
}

const char* CurlHttpClient::user_agent() {
  return "helpline-gateway/" GATEWAY_VERSION;
}

CurlHttpClient::EasyHandle CurlHttpClient::acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      EasyHandle h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void CurlHttpClient::release(EasyHandle h) {
  // Reset forgets every option of the last request (credentials, body pointer,
  // URL) but keeps the handle's live connections and TLS session cache.
  curl_easy_reset(h);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < options_.max_idle_handles) {
      idle_.push_back(h);
      return;
    }
  }
  curl_easy_cleanup(h);
}

Result<HttpResponse> CurlHttpClient::send(const HttpRequest& request) try {
  if (Status s = validate(request); !s) return s.error();
  if (!global_init()) return Error::internal("libcurl could not be initialised");

  // Parse the URL ourselves first: it yields the host for error messages and
  // rejects other schemes before libcurl sees them.
  UrlPtr url(curl_url());
  if (!url) return Error::internal("out of memory");
  if (request.url.find('\0') != std::string::npos ||
      curl_url_set(url.get(), CURLUPART_URL, request.url.c_str(), 0) != CURLUE_OK) {
    return Error::invalid("malformed URL");
  }
  const std::string scheme = url_part(url.get(), CURLUPART_SCHEME);
  const std::string host = url_part(url.get(), CURLUPART_HOST);
  if (scheme != "http" && scheme != "https") {
    return Error::invalid("unsupported URL scheme" + (scheme.size() <= 10 ? " \"" + scheme + "\"" : ""));
  }
  if (host.empty()) return Error::invalid("URL has no host");

  SlistPtr headers;
  for (const auto& [name, value] : request.headers) {
    // "Name;" is libcurl's way to send a header with an empty value.
    if (!append_header(headers, value.empty() ? name + ";" : name + ": " + value)) {
      return Error::internal("out of memory");
    }
  }
  // libcurl would otherwise send "Expect: 100-continue" for larger bodies and
  // wait for an answer some servers never give.
  if (!has_header(request.headers, "expect") && !append_header(headers, "Expect:")) {
    return Error::internal("out of memory");
  }

  Transfer transfer;
  transfer.max_body = options_.max_response_bytes;

  // Returns the handle to the pool however send() ends. Declared after `url`
  // and `headers`, so the handle is reset (and stops pointing at them) before
  // they are freed.
  struct Lease {
    CurlHttpClient* client;
    EasyHandle handle;
    ~Lease() {
      if (handle != nullptr) client->release(handle);
    }
  } lease{this, acquire()};
  if (lease.handle == nullptr) return Error::internal("curl_easy_init failed");
  CURL* h = lease.handle;

  // Every option is checked and the request fails closed: an option libcurl
  // refuses (an out-of-memory copy, a credential longer than it takes) would
  // otherwise send the request without it — without credentials, say, or to a
  // proxy from the environment. The first refusal is reported; nothing is sent.
  CURLcode set = CURLE_OK;
  const char* refused = nullptr;
  const auto must = [&set, &refused](CURLcode rc, const char* option) {
    if (set == CURLE_OK && rc != CURLE_OK) {
      set = rc;
      refused = option;
    }
  };
  must(curl_easy_setopt(h, CURLOPT_CURLU, url.get()), "CURLU");
  must(curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https"), "PROTOCOLS_STR");
  must(curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"), "REDIR_PROTOCOLS_STR");
  must(curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L), "FOLLOWLOCATION");
  must(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L), "NOSIGNAL");
  must(curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count())), "TIMEOUT_MS");
  must(curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count())),
       "CONNECTTIMEOUT_MS");
  must(curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L), "SSL_VERIFYPEER");
  must(curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L), "SSL_VERIFYHOST");
  must(curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2)), "SSLVERSION");
  if (!options_.ca_file.empty())
    must(curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str()), "CAINFO");
  must(curl_easy_setopt(h, CURLOPT_PROXY, options_.proxy.c_str()),
       "PROXY");  // "" disables environment proxies
  must(curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L), "TCP_KEEPALIVE");
  must(curl_easy_setopt(h, CURLOPT_USERAGENT, user_agent()), "USERAGENT");
  must(curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get()), "HTTPHEADER");
  must(curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_response_bytes)),
       "MAXFILESIZE_LARGE");
  must(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body), "WRITEFUNCTION");
  must(curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer), "WRITEDATA");
  must(curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header), "HEADERFUNCTION");
  must(curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer), "HEADERDATA");
  if (!request.basic_user.empty()) {
    must(curl_easy_setopt(h, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC)), "HTTPAUTH");
    must(curl_easy_setopt(h, CURLOPT_USERNAME, request.basic_user.c_str()), "USERNAME");
    must(curl_easy_setopt(h, CURLOPT_PASSWORD, request.basic_password.c_str()), "PASSWORD");
  }

  const bool sends_body = request.method == "POST" || request.method == "PUT" || request.method == "PATCH" ||
                          (request.method == "DELETE" && !request.body.empty());
  if (request.method == "HEAD") {
    must(curl_easy_setopt(h, CURLOPT_NOBODY, 1L), "NOBODY");
  } else if (sends_body) {
    must(curl_easy_setopt(h, CURLOPT_POST, 1L), "POST");
    must(curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size())),
         "POSTFIELDSIZE_LARGE");
    must(curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data()), "POSTFIELDS");
  } else {
    must(curl_easy_setopt(h, CURLOPT_HTTPGET, 1L), "HTTPGET");
  }
  if (request.method != "GET" && request.method != "HEAD" && request.method != "POST") {
    must(curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str()), "CUSTOMREQUEST");
  }
  if (set != CURLE_OK) {
    return Error::internal(std::string("libcurl refused the option ") + refused + ": " +
                           curl_easy_strerror(set) + "; nothing was sent");
  }

  const CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) return map_error(rc, transfer, request.method, host);
  long status = 0;
  if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status < 100 || status > 999) {
    return Error::internal("libcurl gave no response status");
  }
  transfer.response.status = static_cast<int>(status);
  return std::move(transfer.response);
} catch (const std::bad_alloc&) {
  return Error::internal("out of memory");
} catch (...) {
  return Error::internal("unexpected exception in the HTTP client");
}

}  // namespace gw
