"""Template bombs in the title, a part template and the prose: each refused in one line naming the
file (and line, where the template was when it went past the bound), never hung, never a crash.

The limits are made small here (a second, 256 MiB of address space) so that the suite stays
quick; `tests/end_to_end/test_hostile_editions.py` meets the real ones.
"""

from __future__ import annotations

import resource
import signal
import time
from pathlib import Path

import pytest
from conftest import small_data, write_workbook

from builder.compose import sandbox
from builder.compose.annual import compose
from builder.compose.prose import prose_findings
from builder.document import Document
from builder.figures.derived import Ledger, derive
from builder.model.errors import Unreadable
from builder.model.figures import Figures
from builder.workbook.edition import load_edition
from builder.workbook.load import load

SECONDS = 1.0


@pytest.fixture(scope="module")
def read(tmp_path_factory: pytest.TempPathFactory) -> tuple[Figures, Ledger]:
    folder = tmp_path_factory.mktemp("workbook")
    figures = load(write_workbook(folder, small_data()))
    ledger = derive(figures)
    compose(figures, ledger, load_edition(folder))  # the built-in templates compiled before any is timed
    return figures, ledger


@pytest.fixture(autouse=True)
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "SECONDS", SECONDS)
    monkeypatch.setattr(sandbox, "HEADROOM", 256 * 1024 * 1024)


def edition(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "edition"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    folder.mkdir(exist_ok=True)
    return folder


def composed(folder: Path, read: tuple[Figures, Ledger]) -> Document:
    return compose(*read, load_edition(folder))


def refusal(folder: Path, read: tuple[Figures, Ledger]) -> tuple[str, str, float]:
    """The one error a composition of the edition at `folder` is refused with, and its seconds."""
    start = time.monotonic()
    with pytest.raises(Unreadable) as caught:
        composed(folder, read)
    seconds = time.monotonic() - start
    (error,) = caught.value.errors
    assert "\n" not in str(error)
    return error.where, error.message, seconds


def toml(title: str) -> str:
    return 'title = "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"\n'


SLOW = "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}"
OVER_STRING = '{% set s = "x" * 100000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}'
IN_A_MACRO = "{% macro spin() %}{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}{% endmacro %}{{ spin() }}"


@pytest.mark.parametrize("source", [SLOW, OVER_STRING, IN_A_MACRO], ids=["ranges", "over-a-string", "in-a-macro"])
@pytest.mark.parametrize("place", ["prose", "part-template", "title"])
def test_a_template_running_too_long_is_stopped(
    tmp_path: Path, read: tuple[Figures, Ledger], source: str, place: str
) -> None:
    files = {
        "prose": {"prose/总述.j2": "开头\n" + source},
        "part-template": {"templates/部分/来电类型.j2": "开头\n" + source},
        "title": {"edition.toml": toml(source)},
    }[place]
    folder = edition(tmp_path, files)
    where, message, seconds = refusal(folder, read)
    expected = {"prose": "prose/总述.j2", "part-template": "templates/部分/来电类型.j2", "title": "edition.toml"}[place]
    assert where in (
        str(folder / expected),
        f"{folder / expected}:2",
    )  # compiling on a loaded machine, or running line 2
    assert f"运行超过时限（全部模板合计{SECONDS:g}秒）" in message
    assert seconds < SECONDS + 3


BIG = {
    "repeat": "{{ 'x' * 10**9 }}",
    "repeat-a-list": "{{ ([1] * 10**9)|length }}",
    "power": "{{ 10 ** (10 ** 9) }}",
    "squaring": "{% set ns = namespace(n=3) %}{% for i in range(64) %}{% set ns.n = ns.n * ns.n %}{% endfor %}",
    "range": "{% for i in range(10**9) %}{% endfor %}",
    "printf-width": "{{ '%999999999s' % 'x' }}",
    "printf-star": "{{ '%*s' % (999999999, 'x') }}",
    "format-width": "{{ '{:>999999999}'.format('x') }}",
    "format-nested-width": "{{ '{:>{}}'.format('x', 999999999) }}",
    "format-filter": "{{ '%999999999d'|format(1) }}",
    "ljust": "{{ 'x'.ljust(999999999) }}",
    "center-filter": "{{ 'x'|center(999999999) }}",
    "indent-filter": "{{ 'a\nb'|indent(999999999) }}",
    "concatenation": "{% set s = 'x' * 150000 %}{{ s + s }}",
    "output": "{% for i in range(10000) %}{{ 'x' * 100 }}{% endfor %}",
}
MEMORY = {
    "doubling": '{% set ns = namespace(s="x") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}',
    "doubling-a-block": '{% set ns = namespace(s="x") %}{% for i in range(40) %}{% set t %}{{ ns.s }}{{ ns.s }}{% endset %}{% set ns.s = t %}{% endfor %}',
    "replace": "{{ ('x' * 100000).replace('x', 'y' * 100000)|length }}",
    "join": "{{ ('x' * 100000)|join('y' * 100000)|length }}",
}


@pytest.mark.parametrize("source", list(BIG.values()), ids=list(BIG))
def test_a_template_making_too_much_is_refused_before_it_does(
    tmp_path: Path, read: tuple[Figures, Ledger], source: str
) -> None:
    folder = edition(tmp_path, {"prose/总述.j2": source})
    where, message, seconds = refusal(folder, read)
    if source == BIG["output"]:  # the part's whole text, its own and its prose's, is what grew too long
        assert where == "templates/部分/总述.j2" and "模板（或其包含的正文）" in message, where
    else:
        assert where.startswith(str(folder / "prose/总述.j2")), where
    assert "超出限制" in message, message
    assert seconds < SECONDS + 2


@pytest.mark.parametrize("source", list(MEMORY.values()), ids=list(MEMORY))
def test_a_template_filling_memory_is_refused(tmp_path: Path, read: tuple[Figures, Ledger], source: str) -> None:
    folder = edition(tmp_path, {"prose/总述.j2": source})
    before = resource.getrlimit(resource.RLIMIT_AS)
    where, message, _ = refusal(folder, read)
    assert where == str(folder / "prose/总述.j2:1")
    assert "占用内存超过上限" in message or "超出限制" in message, message
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_a_title_of_a_billion_characters_is_refused(tmp_path: Path, read: tuple[Figures, Ledger]) -> None:
    folder = edition(tmp_path, {"edition.toml": toml("{{ 'x' * 10**9 }}")})
    where, message, _ = refusal(folder, read)
    assert where == str(folder / "edition.toml") and message.startswith("“title”模板超出限制")


NESTED = {
    "parentheses": "{{ " + "(" * 500 + "1" + ")" * 500 + " }}",
    "lists": "{{ " + "[" * 2000 + "]" * 2000 + " }}",
    "negations": "{{ " + "not " * 3000 + "1 }}",
    "if-tags": "{% if true %}" * 500 + "x" + "{% endif %}" * 500,
    "filters": "{{ 1" + "|string" * 3000 + " }}",
}
RECURSIVE = {
    "a-macro-calling-itself": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "prose-including-its-part": '{% include "部分/总述.j2" %}',
}


@pytest.mark.parametrize("source", list(NESTED.values()), ids=list(NESTED))
@pytest.mark.parametrize("place", ["prose", "part-template", "title"])
def test_deep_nesting_is_refused_not_crashed_on(
    tmp_path: Path, read: tuple[Figures, Ledger], source: str, place: str
) -> None:
    files = {
        "prose": {"prose/总述.j2": source},
        "part-template": {"templates/部分/来电类型.j2": source},
        "title": {"edition.toml": toml(source)},
    }[place]
    folder = edition(tmp_path, files)
    where, message, _ = refusal(folder, read)
    expected = {"prose": "prose/总述.j2", "part-template": "templates/部分/来电类型.j2", "title": "edition.toml"}[place]
    assert where.startswith(str(folder / expected)), where
    assert "嵌套" in message or "复杂" in message, message


@pytest.mark.parametrize("source", list(RECURSIVE.values()), ids=list(RECURSIVE))
def test_recursion_is_refused(tmp_path: Path, read: tuple[Figures, Ledger], source: str) -> None:
    folder = edition(tmp_path, {"prose/总述.j2": source})
    where, message, _ = refusal(folder, read)
    assert where == str(folder / "prose/总述.j2:1") and "递归" in message


def test_deeply_nested_prose_is_a_finding_of_check(tmp_path: Path) -> None:
    folder = edition(tmp_path, {"prose/总述.j2": NESTED["parentheses"]})
    (finding,) = prose_findings(set(), folder / "prose")
    assert finding.where == "prose/总述.j2" and "嵌套过深" in finding.message


def test_a_timer_set_before_is_put_back(tmp_path: Path, read: tuple[Figures, Ledger]) -> None:
    """A test runner's own alarm (pytest-timeout's, say) survives a composition, with its time."""
    rang: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, _frame: rang.append(signum))
    try:
        signal.setitimer(signal.ITIMER_REAL, 100.0)
        composed(edition(tmp_path, {"prose/总述.j2": "正文。"}), read)
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 90 < left <= 100 and not rang
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_ordinary_templates_render_as_before(tmp_path: Path, read: tuple[Figures, Ledger]) -> None:
    source = (
        "{% for i in range(12) %}{{ i }}{% endfor %}，{{ '%05.1f' % 3.14159 }}，{{ '{:,}'.format(12345678) }}，"
        "{{ 'ab'|center(6) }}，{{ 2 ** 64 }}，{{ 'x' * 3 }}，{{ [1, 2] + [3] }}\n"
    )
    document = composed(edition(tmp_path, {"prose/总述.j2": source}), read)
    texts = [getattr(b, "text", "") for b in document.blocks]
    assert "01234567891011，003.1，12,345,678，  ab  ，18446744073709551616，xxx，[1, 2, 3]" in texts
