#include "gateway/http/static_assets.h"

#include "gateway/http/server.h"

namespace gw::http {

const EmbeddedFile* find_embedded_file(std::string_view path) {
  for (const EmbeddedFile& f : embedded_files()) {
    if (path == f.path) return &f;
  }
  return nullptr;
}

std::string content_type_for(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  return "application/octet-stream";
}

namespace {

std::string regex_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::string_view(".^$|()[]{}*+?\\/").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

void add_static_routes(HttpServer& server, const std::string& prefix, const std::string& index_path,
                       const std::string& index_target, PageGuard guard) {
  server.get(regex_escape(prefix) + "[A-Za-z0-9_./-]*", "static",
             [guard](const httplib::Request& req, httplib::Response& res) {
               if (guard && !guard(req, res)) return;
               // "/console/" is the folder's page: its index.html.
               const std::string path =
                   !req.path.empty() && req.path.back() == '/' ? req.path + "index.html" : req.path;
               const EmbeddedFile* f = find_embedded_file(path);
               if (f == nullptr || path.find("..") != std::string::npos) {
                 send_json_error(res, 404, "not_found", "no such page");
                 return;
               }
               res.set_header("Content-Security-Policy",
                              "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                              "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
               res.set_header("Referrer-Policy", "no-referrer");
               res.set_content(std::string(f->data, f->size), content_type_for(f->path));
             });
  if (!index_path.empty()) {
    server.get(regex_escape(index_path), "index",
               [index_target, guard](const httplib::Request& req, httplib::Response& res) {
                 if (guard && !guard(req, res)) return;
                 res.status = 302;
                 res.set_header("Location", index_target);
               });
  }
}

}  // namespace gw::http
