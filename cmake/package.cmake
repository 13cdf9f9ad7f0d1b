# The Debian package: `cpack -G DEB` in the build tree, after the gateway is
# built, writes helpline-gateway_<version>_<arch>.deb. It holds what
# cmake/install.cmake installs, with the prefix /usr; the maintainer scripts of
# cmake/debian/ create the helpline system user, /var/lib/helpline-gateway
# (0700) and /etc/helpline-gateway/secrets.env (0640 root:helpline).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME helpline-gateway)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Helpline gateway: SMS, WhatsApp and Telegram conversations")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
       "People text a helpline by SMS, WhatsApp or Telegram; conversation flows answer in their "
       "language, and helpline operators take over in a web console.")
set(CPACK_PACKAGE_CONTACT "Helpline gateway maintainers <helpline-gateway@example.org>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The install runs with the prefix /usr under a staging DESTDIR, so that the
# install script places the unit in /lib/systemd/system and the config in /etc.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps names the libraries' packages (libsqlite3-0, libssl3,
# libicu72, ...); adduser runs in postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_SOURCE_DIR}/cmake/debian/conffiles
    ${CMAKE_CURRENT_SOURCE_DIR}/cmake/debian/postinst
    ${CMAKE_CURRENT_SOURCE_DIR}/cmake/debian/prerm
    ${CMAKE_CURRENT_SOURCE_DIR}/cmake/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
