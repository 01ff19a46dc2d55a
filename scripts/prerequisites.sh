# Sourced by run.sh, test.sh and bench scripts: installs what a fresh machine lacks.

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq >/dev/null
  as_root apt-get install -y -qq "$@" >/dev/null
}

ensure_dotnet() {
  command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required: https://dot.net" >&2; exit 1; }
}

# Prints the directory holding initdb/pg_ctl, installing the Debian postgresql package when none is present.
postgres_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "==> Installing PostgreSQL server" >&2
    apt_install postgresql
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$bin"
}

ensure_postgres_server() {
  if [ -z "${ConnectionStrings__ConsentDb:-}" ]; then
    export PG_BIN
    PG_BIN=$(postgres_bin)
  fi
}

# The class-sheet rendering tests and scripts/render-class-sheet.sh print through headless Chromium.
ensure_chromium() {
  if [ -n "${CHROMIUM:-}" ]; then return; fi
  if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null && ! command -v google-chrome >/dev/null; then
    echo "==> Installing Chromium" >&2
    apt_install chromium
  fi
}

# The printed documents' tests read the PDFs with an independent reader (poppler's pdfinfo and pdftotext), and
# docs/printed/render.sh turns PDF pages into PNGs with pdftoppm.
ensure_pdf_tools() {
  if ! command -v pdftotext >/dev/null || ! command -v pdfinfo >/dev/null || ! command -v pdftoppm >/dev/null; then
    echo "==> Installing poppler-utils" >&2
    apt_install poppler-utils
  fi
}

ensure_node() {
  if ! command -v npm >/dev/null; then
    echo "==> Installing Node.js" >&2
    apt_install nodejs npm
  fi
}

# The README's tour (docs/tour.sh, run by the tests) reads JSON with jq and calls the API with curl.
ensure_tour_tools() {
  local missing=()
  command -v jq >/dev/null || missing+=(jq)
  command -v curl >/dev/null || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> Installing ${missing[*]}" >&2
    apt_install "${missing[@]}"
  fi
}
