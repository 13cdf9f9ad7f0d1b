# The install and the Debian package, checked from the built tree
# (tests/package/*.sh; they install and pack into temporary folders).
add_test(NAME "install: an installed gateway finds its content from any folder, checks it and serves /healthz"
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/tests/package/install_prefix_test.sh ${CMAKE_CURRENT_BINARY_DIR})
add_test(NAME "package: the DEB holds the binary, content, hardened unit and conffile, and declares its libraries"
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/tests/package/deb_package_test.sh ${CMAKE_CURRENT_BINARY_DIR}
                 ${CMAKE_CURRENT_SOURCE_DIR})
set_tests_properties(
  "install: an installed gateway finds its content from any folder, checks it and serves /healthz"
  "package: the DEB holds the binary, content, hardened unit and conffile, and declares its libraries"
  PROPERTIES TIMEOUT 180)
