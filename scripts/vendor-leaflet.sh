#!/usr/bin/env bash
# Refreshes controller/webui/static/leaflet/ from the npm registry's
# leaflet package (BSD-2-Clause): the prebuilt dist files the web UI embeds,
# checked against the registry's integrity hash. Nothing is built: Leaflet
# ships dist/leaflet.js and dist/leaflet.css in its package, and its source
# is in the same package (src/). Run it only to change the version; the
# files are committed, so a fresh machine needs no npm.
#
#   scripts/vendor-leaflet.sh            # the version below
set -euo pipefail
version=1.9.4
integrity='sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=='
dest="$(cd "$(dirname "$0")/.." && pwd)/controller/webui/static/leaflet"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "leaflet@$version" >/dev/null)
tgz="$work/leaflet-$version.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [[ "$got" != "$integrity" ]]; then
	echo "leaflet-$version.tgz: integrity $got, want $integrity" >&2
	exit 1
fi
tar -xzf "$tgz" -C "$work"
mkdir -p "$dest"
cp "$work/package/dist/leaflet.js" "$work/package/dist/leaflet.css" "$work/package/LICENSE" "$dest/"
(cd "$dest" && sha256sum leaflet.js leaflet.css LICENSE) > "$dest/SHA256SUMS"
echo "leaflet $version in $dest"
