# What `cmake --install build --prefix P` installs, and the Debian package
# (cmake/package.cmake) packs with the prefix /usr:
#   P/bin/gateway
#   P/share/helpline-gateway/{flows,templates,translations}   the shipped content
#   P/share/doc/helpline-gateway/                              README, docs, example configs
#   P/lib/systemd/system/helpline-gateway.service              the unit, with P's paths
#   P/etc/helpline-gateway/gateway.json                        the SQLite example
# With the prefix /usr (the package), the unit goes to /lib/systemd/system and
# the configuration to /etc, as Debian places them.
include(GNUInstallDirs)

# The binary finds the installed content from its own folder
# (gateway/config/default_content_dir.h), and the source tree when it runs
# from this build tree. Defined for that one file only.
set(GATEWAY_CONTENT_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/helpline-gateway)
file(RELATIVE_PATH gateway_installed_content_rel /prefix/${CMAKE_INSTALL_BINDIR}
     /prefix/${GATEWAY_CONTENT_INSTALL_DIR})
set_property(SOURCE gateway/config/default_content_dir.cc APPEND PROPERTY COMPILE_DEFINITIONS
             GATEWAY_INSTALLED_CONTENT_REL="${gateway_installed_content_rel}"
             GATEWAY_BUILD_TREE="${CMAKE_BINARY_DIR}"
             GATEWAY_SOURCE_TREE="${CMAKE_SOURCE_DIR}")

# Installing (and packing) never builds: the gateway is built first
# (scripts/setup.sh), and the tests are not needed to install it.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

install(TARGETS gateway RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY flows templates translations DESTINATION ${GATEWAY_CONTENT_INSTALL_DIR})
set(gateway_doc_dir ${CMAKE_INSTALL_DATAROOTDIR}/doc/helpline-gateway)
install(FILES README.md DESTINATION ${gateway_doc_dir})
install(DIRECTORY docs/ DESTINATION ${gateway_doc_dir}/docs FILES_MATCHING PATTERN "*.md")
install(FILES config/gateway.sqlite.json config/gateway.postgres.json config/helpline-gateway.service
        DESTINATION ${gateway_doc_dir}/examples)
# The unit and /etc: paths that depend on the prefix given at install time.
configure_file(cmake/install_system_files.cmake.in install_system_files.cmake @ONLY)
install(SCRIPT ${CMAKE_CURRENT_BINARY_DIR}/install_system_files.cmake)
