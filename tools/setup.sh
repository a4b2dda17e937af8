#!/usr/bin/env bash
# Set everything up (virtual environment, the package, CJK fonts, the page's test tools) and build the sample edition.
#   bash tools/setup.sh            set up, then build inputs/2020 into out/2020/
#   bash tools/setup.sh --no-build set up only
set -euo pipefail
cd "$(dirname "$0")/.."

FONT_PACKAGES="fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-wqy-microhei"
FONT_FILES="/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf
/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf
/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

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

if [ "${1:-}" != "--no-build" ]; then
  .venv/bin/builder build inputs/2020
  echo "setup: done; outputs are in out/2020/" >&2
fi
