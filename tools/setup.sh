#!/usr/bin/env bash
# Set everything up (virtual environment, the package, CJK fonts, the page's test tools) and build the sample edition.
#   bash tools/setup.sh            set up, then build inputs/2020 into out/2020/
#   bash tools/setup.sh --no-build set up only
set -euo pipefail
cd "$(dirname "$0")/.."

FONT_PACKAGES="fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-wqy-microhei fonts-hanazono fontconfig"
FONT_FILES="/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf
/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf
/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
/usr/share/fonts/truetype/hanazono/HanaMinA.ttf
/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"
# The Fandol faces (GPL with the font exception) come from this package, which is taken apart, not installed
FANDOL_PACKAGE="texlive-lang-chinese"
FANDOL_PATH="usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"
if [ "$(id -u)" = 0 ]; then
  FANDOL_DIR="/usr/local/share/fonts/fandol"
  FONTCONFIG_DIR="/etc/fonts/conf.d"
else
  FANDOL_DIR="${XDG_DATA_HOME:-$HOME/.local/share}/fonts/fandol"
  FONTCONFIG_DIR="${XDG_CONFIG_HOME:-$HOME/.config}/fontconfig/conf.d"
fi

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi
}

apt_install() {
  as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

python_ok() { python3 -c 'import venv, ensurepip' 2>/dev/null; }
if ! python_ok; then
  echo "setup: python3-venv is missing; installing it" >&2
  apt_install python3-venv || { echo "setup: please install python3-venv (apt-get install python3-venv)" >&2; exit 2; }
fi

missing_fonts=""
for f in $FONT_FILES; do [ -f "$f" ] || missing_fonts="yes"; done
command -v fc-list >/dev/null || missing_fonts="yes"
if [ -n "$missing_fonts" ]; then
  echo "setup: installing CJK fonts: $FONT_PACKAGES" >&2
  # shellcheck disable=SC2086
  apt_install $FONT_PACKAGES || echo "setup: could not install fonts; as root run: apt-get install $FONT_PACKAGES" >&2
fi

# What the page's tests open it with: Debian's Chromium (Playwright drives it; no browser is
# downloaded) and a Java runtime for the W3C Nu HTML Checker; axe-core is in tests/data/axe.
TEST_PACKAGES=""
command -v chromium >/dev/null || TEST_PACKAGES="chromium"
command -v java >/dev/null || TEST_PACKAGES="$TEST_PACKAGES default-jre-headless"
if [ -n "$TEST_PACKAGES" ]; then
  echo "setup: installing what the page's tests need:$TEST_PACKAGES" >&2
  # shellcheck disable=SC2086
  apt_install $TEST_PACKAGES || echo "setup: could not install them; as root run: apt-get install$TEST_PACKAGES (the page's browser and checker tests skip without them)" >&2
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e '.[dev]'

# Fandol: download the TeX package without installing it, convert its CFF faces to TrueType once
fandol_ready() { .venv/bin/python tools/fandol_fonts.py --check "$FANDOL_DIR"; }
if ! fandol_ready; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  if ! (cd "$work" && apt-get download -qq "$FANDOL_PACKAGE" 2>/dev/null); then
    as_root apt-get update -qq || true
    (cd "$work" && apt-get download -qq "$FANDOL_PACKAGE") || {
      echo "setup: could not download $FANDOL_PACKAGE; as root run: apt-get update, then run this set-up again" >&2
      exit 2
    }
  fi
  dpkg -x "$work"/"$FANDOL_PACKAGE"_*.deb "$work/x"
  .venv/bin/python tools/fandol_fonts.py "$work/x/$FANDOL_PATH" "$FANDOL_DIR"
  rm -rf "$work"
  trap - EXIT
fi
# LibreOffice (fontconfig) draws the DOCX's Windows font names with the Fandol faces
if ! cmp -s tools/fontconfig/64-report-builder-fandol.conf "$FONTCONFIG_DIR/64-report-builder-fandol.conf"; then
  mkdir -p "$FONTCONFIG_DIR"
  cp tools/fontconfig/64-report-builder-fandol.conf "$FONTCONFIG_DIR/"
fi
if command -v fc-cache >/dev/null; then fc-cache "$FANDOL_DIR" >/dev/null 2>&1 || true; fi

if [ "${1:-}" != "--no-build" ]; then
  .venv/bin/builder build inputs/2020
  echo "setup: done; outputs are in out/2020/" >&2
fi
