#!/bin/sh
# Builds the Debian package from the build tree into a temporary folder
# (`cpack -G DEB`; nothing is compiled) and checks its contents, control file,
# conffiles and maintainer scripts with dpkg-deb.
#
#   tests/package/deb_package_test.sh BUILD_DIR SOURCE_DIR
set -eu
build=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gw-deb-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "deb_package_test: $*" >&2
  exit 1
}
command -v dpkg-deb >/dev/null || fail "dpkg-deb is missing (apt-get install dpkg-dev)"
command -v dpkg-shlibdeps >/dev/null || fail "dpkg-shlibdeps is missing (apt-get install dpkg-dev)"

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/out" >"$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log"; fail "cpack failed"; }
set -- "$tmp"/out/helpline-gateway_*.deb
[ -f "$1" ] || { cat "$tmp/cpack.log"; fail "no helpline-gateway_*.deb"; }
deb=$1

# Contents: the binary in /usr, the content, the unit in /lib, the config in /etc.
dpkg-deb -c "$deb" | awk '{print $1, $2, $6}' >"$tmp/contents"
has() { grep -q "$1" "$tmp/contents" || { cat "$tmp/contents"; fail "the package lacks $1"; }; }
has '^-rwxr-xr-x root/root \./usr/bin/gateway$'
has ' \./usr/share/helpline-gateway/flows/.*\.json$'
has ' \./usr/share/helpline-gateway/templates/.*\.json$'
has ' \./usr/share/helpline-gateway/translations/messages\.pot$'
has ' \./usr/share/helpline-gateway/translations/ar\.po$'
has '^-rw-r--r-- root/root \./lib/systemd/system/helpline-gateway\.service$'
has '^-rw-r--r-- root/root \./etc/helpline-gateway/gateway\.json$'
has ' \./usr/share/doc/helpline-gateway/examples/gateway\.postgres\.json$'
if grep -q 'secrets\.env\|gateway_tests\|/var/lib' "$tmp/contents"; then
  fail "the package ships secrets.env, the tests or /var/lib (postinst makes those)"
fi

# Control: name, and the libraries' packages among the dependencies.
[ "$(dpkg-deb -f "$deb" Package)" = helpline-gateway ] || fail "Package: $(dpkg-deb -f "$deb" Package)"
depends=$(dpkg-deb -f "$deb" Depends)
[ -n "$depends" ] || fail "Depends is empty"
for lib in adduser libsqlite3 libssl libicu libsystemd0 libgvc libphonenumber libpq libargon2 libcurl; do
  echo "$depends" | grep -q "$lib" || fail "Depends does not name $lib: $depends"
done
dpkg-deb -I "$deb" >"$tmp/info"
for f in conffiles postinst prerm postrm; do
  grep -q " $f\$\| $f " "$tmp/info" || { cat "$tmp/info"; fail "no $f in the control archive"; }
done

# Conffiles and maintainer scripts.
dpkg-deb -e "$deb" "$tmp/control"
[ "$(cat "$tmp/control/conffiles")" = /etc/helpline-gateway/gateway.json ] ||
  fail "conffiles: $(cat "$tmp/control/conffiles")"
grep -q 'adduser --system --group' "$tmp/control/postinst" || fail "postinst makes no helpline system user"
{ grep -q 'install -d -m 0700 /var/lib/helpline-gateway' "$tmp/control/postinst" &&
  grep -q 'chown helpline:helpline /var/lib/helpline-gateway' "$tmp/control/postinst"; } ||
  fail "postinst makes no /var/lib/helpline-gateway 0700 owned by helpline"
grep -q 'chown root:helpline /etc/helpline-gateway/secrets.env' "$tmp/control/postinst" ||
  fail "postinst gives secrets.env no root:helpline owner"
grep -q 'chmod 0640 /etc/helpline-gateway/secrets.env' "$tmp/control/postinst" || fail "secrets.env not 0640"
for s in postinst prerm postrm; do
  [ -x "$tmp/control/$s" ] || fail "$s is not executable"
  sh -n "$tmp/control/$s" || fail "$s is not valid sh"
done

# The unit and the config, as packed.
dpkg-deb -x "$deb" "$tmp/root"
unit="$tmp/root/lib/systemd/system/helpline-gateway.service"
cmp -s "$unit" "$source_dir/config/helpline-gateway.service" ||
  fail "the packaged unit differs from config/helpline-gateway.service"
for line in 'Type=notify' 'User=helpline' \
  'ExecStart=/usr/bin/gateway serve --config /etc/helpline-gateway/gateway.json' \
  'NoNewPrivileges=true' 'ProtectSystem=strict' 'ProtectHome=true' 'PrivateTmp=true' \
  'ReadWritePaths=/var/lib/helpline-gateway' 'Restart=on-failure' 'PrivateDevices=true' \
  'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' 'SystemCallFilter=@system-service' \
  'CapabilityBoundingSet=' 'LockPersonality=true' 'MemoryDenyWriteExecute=true'; do
  grep -qx "$line" "$unit" || fail "the unit lacks $line"
done
cmp -s "$tmp/root/etc/helpline-gateway/gateway.json" "$source_dir/config/gateway.sqlite.json" ||
  fail "/etc/helpline-gateway/gateway.json differs from config/gateway.sqlite.json"
if command -v systemd-analyze >/dev/null; then
  # Exposure 0 (locked down) to 10 (none); the reviewed unit scores 1.5 with systemd 252.
  systemd-analyze security --offline=true --threshold=20 "$unit" >"$tmp/security" 2>&1 ||
    { cat "$tmp/security"; fail "systemd-analyze security rates the unit above 2.0"; }
fi
echo "deb_package_test: ok ($(basename "$deb"))"
