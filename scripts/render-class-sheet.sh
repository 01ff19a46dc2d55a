#!/usr/bin/env bash
# Fetches a group's printable class sheet (GET /v1/schools/{schoolId}/groups/{groupId}/consent-overview as text/html)
# from a running ConsentApi and renders it with headless Chromium to a PNG (A4 landscape at 96 dpi: 1123x794) and a
# PDF. Fails when the sheet cannot be fetched, or when the PNG is missing or blank, or the PDF is missing.
#
# Usage: scripts/render-class-sheet.sh [-u URL] [-k API_KEY] [-s SCHOOL_ID] [-g GROUP_ID] [-a AT] [-o OUTPUT_PREFIX]
#   -u  the API's base URL                 (env CONSENT_API_URL, default http://localhost:5080)
#   -k  an API key with consent:read       (env CONSENT_API_KEY)
#   -s  the school id                      (env SCHOOL_ID)
#   -g  the group id                       (env GROUP_ID)
#   -a  the moment to show, ISO 8601       (env AT, default now)
#   -o  output prefix: writes PREFIX.html, PREFIX.png and PREFIX.pdf (env OUTPUT, default ./class-sheet)
# Env CHROMIUM overrides the browser (default: chromium, else chromium-browser, else google-chrome).
set -euo pipefail

url="${CONSENT_API_URL:-http://localhost:5080}"
key="${CONSENT_API_KEY:-}"
school="${SCHOOL_ID:-}"
group="${GROUP_ID:-}"
at="${AT:-}"
out="${OUTPUT:-./class-sheet}"

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
fail() { echo "render-class-sheet: $*" >&2; exit 1; }

while getopts "u:k:s:g:a:o:h" option; do
  case "$option" in
    u) url="$OPTARG" ;;
    k) key="$OPTARG" ;;
    s) school="$OPTARG" ;;
    g) group="$OPTARG" ;;
    a) at="$OPTARG" ;;
    o) out="$OPTARG" ;;
    *) usage ;;
  esac
done
[ -n "$key" ] || { echo "render-class-sheet: an API key is required (-k or CONSENT_API_KEY)" >&2; usage; }
[ -n "$school" ] || { echo "render-class-sheet: a school id is required (-s or SCHOOL_ID)" >&2; usage; }
[ -n "$group" ] || { echo "render-class-sheet: a group id is required (-g or GROUP_ID)" >&2; usage; }

browser="${CHROMIUM:-}"
if [ -z "$browser" ]; then
  for candidate in chromium chromium-browser google-chrome; do
    if command -v "$candidate" >/dev/null; then browser="$candidate"; break; fi
  done
fi
[ -n "$browser" ] || fail "headless Chromium is required (apt-get install chromium), or set CHROMIUM"
command -v curl >/dev/null || fail "curl is required"

mkdir -p "$(dirname "$out")"
html="$out.html" png="$out.png" pdf="$out.pdf"
rm -f "$html" "$png" "$pdf"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# ---- fetch ----
query=""
if [ -n "$at" ]; then query="?at=$(printf '%s' "$at" | sed 's/+/%2B/g; s/:/%3A/g')"; fi
status=$(curl -sS -o "$html" -w '%{http_code} %{content_type}' \
  -H "X-Api-Key: $key" -H "Accept: text/html" \
  "${url%/}/v1/schools/$school/groups/$group/consent-overview$query") || fail "could not reach $url"
case "$status" in
  "200 text/html"*) ;;
  *) fail "the API answered $status: $(head -c 500 "$html" 2>/dev/null)" ;;
esac

# ---- render ----
absolute="$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
render() {
  "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$(mktemp -d -p "$work")" \
    --window-size=1123,794 "$@" "file://$absolute" >"$work/chromium.log" 2>&1 \
    || { cat "$work/chromium.log" >&2; fail "Chromium failed ($*)"; }
}
render --screenshot="$png"
render --no-pdf-header-footer --print-to-pdf="$pdf"

# ---- check ----
[ -s "$png" ] || fail "no PNG was written to $png"
[ -s "$pdf" ] || fail "no PDF was written to $pdf"
[ "$(head -c 4 "$pdf")" = "%PDF" ] || fail "$pdf is not a PDF"
png_bytes=$(wc -c <"$png")
# A blank 1123x794 page compresses to a few kilobytes; a class sheet with a table of names is far larger.
[ "$png_bytes" -ge 20000 ] || fail "$png is only $png_bytes bytes: the page looks blank"
if command -v python3 >/dev/null; then
  # Decode the PNG (stdlib only) and require that a visible share of the pixels differs from the background.
  python3 - "$png" <<'PY' || fail "$png is blank"
import struct, sys, zlib
from collections import Counter
data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("not a PNG")
pos, idat = 8, b""
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    chunk = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
    elif kind == b"IDAT":
        idat += chunk
    pos += 12 + length
if depth != 8 or colour not in (2, 6):
    sys.exit(f"unsupported PNG (bit depth {depth}, colour type {colour})")
bpp = 3 if colour == 2 else 4
raw, stride = zlib.decompress(idat), width * bpp
previous, counts = bytearray(stride), Counter()
for y in range(height):
    start = y * (stride + 1)
    kind, row = raw[start], bytearray(raw[start + 1:start + 1 + stride])
    for i in range(stride):
        left = row[i - bpp] if i >= bpp else 0
        up = previous[i]
        corner = previous[i - bpp] if i >= bpp else 0
        if kind == 1: row[i] = (row[i] + left) & 0xFF
        elif kind == 2: row[i] = (row[i] + up) & 0xFF
        elif kind == 3: row[i] = (row[i] + ((left + up) >> 1)) & 0xFF
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            row[i] = (row[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
    counts.update(bytes(row[i:i + 3]) for i in range(0, stride, bpp * 4))  # every fourth pixel suffices
    previous = row
total = sum(counts.values())
background = counts.most_common(1)[0][1]
ink = 1 - background / total
print(f"{sys.argv[1]}: {width}x{height}, {len(counts)} colours, {ink:.1%} non-background")
sys.exit(0 if len(counts) > 1 and ink >= 0.01 else 1)
PY
fi

echo "Wrote $html, $png ($png_bytes bytes) and $pdf ($(wc -c <"$pdf") bytes)"
