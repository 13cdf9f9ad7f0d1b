# Web assets (HTML, JS, CSS) compiled into the gateway, so that build/gateway
# serves its pages from wherever it runs. Paths are relative to gateway/web and
# are served under the same path ("/simulator/index.html").
set(GATEWAY_WEB_ASSETS
  common/staff.js
  console/index.html
  console/console.css
  console/console.js
  console/stats.js
  simulator/index.html
  simulator/simulator.css
  simulator/simulator.js
  studio/index.html
  studio/studio.css
  studio/studio.js
  vendor/chart.js/chart.umd.js
)
set(_web_deps "")
foreach(asset IN LISTS GATEWAY_WEB_ASSETS)
  list(APPEND _web_deps "${CMAKE_CURRENT_SOURCE_DIR}/gateway/web/${asset}")
endforeach()
set(_web_out "${CMAKE_CURRENT_BINARY_DIR}/generated/web_assets.cc")
string(REPLACE ";" "|" _web_list "${GATEWAY_WEB_ASSETS}")
add_custom_command(
  OUTPUT "${_web_out}"
  COMMAND ${CMAKE_COMMAND} -DBASE_DIR=${CMAKE_CURRENT_SOURCE_DIR}/gateway/web
          "-DASSETS=${_web_list}" -DOUTPUT=${_web_out}
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/embed_assets.cmake
  DEPENDS ${_web_deps} ${CMAKE_CURRENT_SOURCE_DIR}/cmake/embed_assets.cmake
  COMMENT "Embedding web assets"
  VERBATIM)
target_sources(gateway_core PRIVATE "${_web_out}")
