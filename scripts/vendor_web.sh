#!/usr/bin/env bash
# Rebuild src/aidtrace/web/static/vendor/ from exact npm versions.
#
# The dashboard must work with no internet, so every script, style and map geometry it
# loads is served by the app from this folder. The output is committed: installing and
# running aidtrace needs neither npm nor a network. Run this by hand only to bump a pin
# (edit PACKAGES), then commit the result. Needs npm and the project venv (for
# country_converter, which maps the atlas's ISO numeric ids to the ISO3 codes the API uses).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(world-atlas@2.0.2 topojson-client@3.1.0 d3-array@3.2.5 d3-geo@3.1.2 swagger-ui-dist@5.35.0)
OUT=src/aidtrace/web/static/vendor
PY=${PYTHON:-.venv/bin/python}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "# npm packages vendored by scripts/vendor_web.sh (name@version integrity)" > "$tmp/VERSIONS.txt"
for spec in "${PACKAGES[@]}"; do
  name=${spec%@*}
  (cd "$tmp" && npm pack --json "$spec" > "$name.json")
  "$PY" -c 'import json,sys; p=json.load(open(sys.argv[1]))[0]; print(p["id"], p["integrity"])' \
    "$tmp/$name.json" >> "$tmp/VERSIONS.txt"
  mkdir -p "$tmp/$name"
  tar xzf "$tmp/$name"-*.tgz -C "$tmp/$name" --strip-components=1
done

rm -rf "$OUT"
mkdir -p "$OUT"/{world-atlas,topojson-client,d3-array,d3-geo,swagger-ui}
cp "$tmp/world-atlas/countries-110m.json" "$tmp/world-atlas/LICENSE" "$OUT/world-atlas/"
cp "$tmp/topojson-client/dist/topojson-client.min.js" "$tmp/topojson-client/LICENSE" "$OUT/topojson-client/"
cp "$tmp/d3-array/dist/d3-array.min.js" "$tmp/d3-array/LICENSE" "$OUT/d3-array/"
cp "$tmp/d3-geo/dist/d3-geo.min.js" "$tmp/d3-geo/LICENSE" "$OUT/d3-geo/"
cp "$tmp/swagger-ui-dist/"{swagger-ui-bundle.js,swagger-ui.css,favicon-32x32.png,LICENSE,NOTICE} "$OUT/swagger-ui/"
cp "$tmp/VERSIONS.txt" "$OUT/VERSIONS.txt"

# world-atlas keys countries by ISO 3166-1 numeric id (a few disputed areas have only a
# name); the API speaks ISO3. Map once here, so the browser needs no converter.
"$PY" - "$OUT/world-atlas/countries-110m.json" "$OUT/world-atlas/iso3.json" <<'PYEOF'
import json
import logging
import sys

import country_converter as coco

logging.getLogger("country_converter").setLevel(logging.ERROR)  # unmapped shapes are counted below
cc = coco.CountryConverter()
topo = json.load(open(sys.argv[1], encoding="utf-8"))
mapping = {}
for geometry in topo["objects"]["countries"]["geometries"]:
    if "id" in geometry:
        key = geometry["id"]  # zero-padded text; country_converter matches the number
        iso3 = cc.convert(int(key), src="ISOnumeric", to="ISO3", not_found=None)
    else:
        key = geometry["properties"]["name"]
        iso3 = cc.convert(key, to="ISO3", not_found=None)
    if iso3:
        mapping[key] = iso3
with open(sys.argv[2], "w", encoding="utf-8") as fh:
    json.dump(dict(sorted(mapping.items())), fh, indent=0, sort_keys=True)
    fh.write("\n")
print(f"mapped {len(mapping)} of {len(topo['objects']['countries']['geometries'])} atlas shapes to ISO3")
PYEOF
echo "vendored into $OUT:"
cat "$OUT/VERSIONS.txt"
