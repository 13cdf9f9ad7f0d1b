# Writes a C++ source holding the files given in ASSETS (paths relative to
# BASE_DIR) as byte arrays, with a lookup by URL path ("/" + relative path).
# Run by a custom command (cmake -P) so that editing an asset rebuilds it.
#   cmake -DBASE_DIR=... -DASSETS="a|b" -DOUTPUT=... -P embed_assets.cmake
string(REPLACE "|" ";" ASSETS "${ASSETS}")
set(body "// Generated from gateway/web by cmake/embed_assets.cmake. Do not edit.\n")
string(APPEND body "#include \"gateway/http/static_assets.h\"\n\nnamespace gw::http {\nnamespace {\n")
set(table "")
set(i 0)
foreach(asset IN LISTS ASSETS)
  file(READ "${BASE_DIR}/${asset}" hex HEX)
  string(LENGTH "${hex}" hex_len)
  math(EXPR size "${hex_len} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND body "const unsigned char kAsset${i}[] = {${bytes}0x00};\n")
  string(APPEND table "    {\"/${asset}\", reinterpret_cast<const char*>(kAsset${i}), ${size}},\n")
  math(EXPR i "${i} + 1")
endforeach()
string(APPEND body "}  // namespace\n\nconst std::vector<EmbeddedFile>& embedded_files() {\n")
string(APPEND body "  static const std::vector<EmbeddedFile> files = {\n${table}  };\n  return files;\n}\n\n}  // namespace gw::http\n")
file(WRITE "${OUTPUT}.tmp" "${body}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
