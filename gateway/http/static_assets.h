// Static assets: the pages, scripts and styles compiled into the binary
// (gateway/web, embedded by cmake/embed_assets.cmake), served read-only.
//
// Every asset response carries a Content-Security-Policy that allows only the
// gateway's own scripts and styles (no inline script, no third-party origin),
// so a message text shown on a page can never run as code.
#pragma once

#include <httplib.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace gw::http {

class HttpServer;

struct EmbeddedFile {
  const char* path;  // "/simulator/index.html"
  const char* data;
  size_t size;
};

// Generated at build time.
const std::vector<EmbeddedFile>& embedded_files();

// The embedded file at `path`, or nullptr.
const EmbeddedFile* find_embedded_file(std::string_view path);

// "text/html; charset=utf-8" etc. from the extension.
std::string content_type_for(std::string_view path);

// Runs before a page is served: true lets it be served, false means `res` holds
// the answer instead (e.g. a redirect to a login page).
using PageGuard = std::function<bool(const httplib::Request&, httplib::Response&)>;

// GET routes for every embedded file under `prefix` (e.g. "/simulator/"), and
// `index_path` (e.g. "/") redirecting to `index_target` when not empty. With a
// `guard`, both ask it first.
void add_static_routes(HttpServer& server, const std::string& prefix, const std::string& index_path,
                       const std::string& index_target, PageGuard guard = nullptr);

}  // namespace gw::http
