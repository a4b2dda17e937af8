"""Chinese line breaking: the rules of GB/T 15834 hold for any paragraph and width, and lines justify exactly."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from builder.writers.pdf.linebreak import (
    DEFAULT_TRACKING,
    NO_END,
    NO_START,
    Line,
    Piece,
    break_lines,
    justify,
)

SEED = "2020年共受理群众反映1022.3万件，环比2019年上升53.01%，其中办理诉求415.7万件，环比上升72.39%，群众诉求响应率始终保持100%。"
SIZE = 16.0
CHAR = SIZE * DEFAULT_TRACKING  # one full-width character at the default tracking
TEXT_WIDTH = 156 * 72 / 25.4
IDEOGRAPHS = sorted(
    {c for c in (Path(__file__).parent.parent / "data" / "seed_2020.txt").read_text() if "一" <= c <= "鿿"}
)
CLAUSE_END = [*"，。、；：？！", "……", "——"]
BRACKETS = ["“”", "‘’", "（）", "〔〕", "【】", "《》", "〈〉", "「」", "『』"]
UNITS = ["万件", "件", "%", "年", "万人次", "余件", "个", ""]


def measure(text: str, font: str, size: float) -> float:
    """A fake monospaced font: full-width characters one em, ASCII half an em."""
    return sum(size if ord(c) > 0x7F else size / 2 for c in text)


@dataclass(frozen=True)
class Para:
    """A generated paragraph and the character spans that must stay on one line."""

    pieces: tuple[Piece, ...]
    spans: tuple[tuple[int, int], ...]
    chain: float  # the widest run that cannot be broken (a bracketed number with its mark)

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)


def piece(text: str, keep: bool = False) -> Piece:
    return Piece(text, "body", SIZE, "missing" if keep else None, keep)


words = st.lists(st.sampled_from(IDEOGRAPHS), min_size=1, max_size=6).map("".join)
numbers = st.builds(
    lambda whole, frac, unit: f"{whole}{frac}{unit}",
    st.sampled_from(["2020", "100", "1022", "53", "8400", "2,000", "16", "7"]),
    st.sampled_from(["", ".3", ".01", ".7"]),
    st.sampled_from(UNITS),
)
ascii_words = st.sampled_from(["APP", "12345", "Excel", "PDF", "A4", "WeChat"])
keeps = st.sampled_from(["【待补】", "接诉即办", "12345热线"])
CONTENT = st.one_of(
    words.map(lambda t: (t, False, False)),
    numbers.map(lambda t: (t, False, True)),
    ascii_words.map(lambda t: (t, False, True)),
    keeps.map(lambda t: (t, True, True)),
)


@st.composite
def paragraphs(draw: st.DrawFn) -> Para:
    """A realistic paragraph: content tokens, some bracketed, some followed by a clause mark."""
    pieces: list[Piece] = []
    spans: list[tuple[int, int]] = []
    chain = 0.0
    at = 0

    def add(text: str, keep: bool = False, whole: bool = False) -> None:
        nonlocal at
        pieces.append(piece(text, keep))
        if whole:
            spans.append((at, at + len(text)))
        at += len(text)

    for _ in range(draw(st.integers(1, 30))):
        text, keep, whole = draw(CONTENT)
        group = at
        bracket = draw(st.sampled_from([None, None, None, *BRACKETS]))
        if bracket and not keep:
            add(bracket[0])
        add(text, keep, whole)
        if bracket and not keep:
            add(bracket[1])
        mark = draw(st.sampled_from([None, None, *CLAUSE_END]))
        if mark:
            add(mark, whole=len(mark) == 2)
        if whole:
            chain = max(chain, measure("".join(p.text for p in pieces)[group:], "body", SIZE) * DEFAULT_TRACKING)
    return Para(tuple(pieces), tuple(spans), chain)


def boundaries(lines: list[Line]) -> list[int]:
    """The character offsets where lines break."""
    out, at = [], 0
    for line in lines[:-1]:
        at += len(line.text)
        out.append(at)
    return out


@settings(max_examples=400, deadline=None)
@given(paragraphs(), st.integers(10, 40), st.sampled_from([0, 2]))
def test_rules_hold_for_any_paragraph(para: Para, chars: int, indent_chars: int) -> None:
    width = chars * CHAR
    assume(para.chain <= width - indent_chars * CHAR)  # else no break obeys every rule: see test_forced_break
    lines = break_lines(para.pieces, width, measure, first_indent=indent_chars * CHAR)
    assert "".join(line.text for line in lines) == para.text
    assert [line.last for line in lines] == [False] * (len(lines) - 1) + [True]
    assert not any(line.forced for line in lines)
    for line in lines[1:]:
        assert line.text[0] not in NO_START, line.text
    for line in lines[:-1]:
        assert line.text[-1] not in NO_END, line.text
    for cut in boundaries(lines):
        assert not any(start < cut < end for start, end in para.spans), (cut, para.text)
    for line in lines:
        assert line.natural <= line.width + SIZE / 2 + 1e-6  # at most half a character squeezed


@settings(max_examples=200, deadline=None)
@given(paragraphs(), st.integers(10, 40))
def test_justified_lines_fill_the_width(para: Para, chars: int) -> None:
    lines = break_lines(para.pieces, chars * CHAR, measure, first_indent=2 * CHAR)
    for line in lines:
        xs = justify(line)
        assert xs[0] == pytest.approx(line.indent)
        assert all(a < b for a, b in itertools.pairwise(xs))
        right = xs[-1] + line.clusters[-1].width
        if not line.last and len(line.clusters) > 1:  # one cluster alone has no gap to spread space over
            assert right == pytest.approx(line.indent + line.width, abs=0.01)
        else:
            assert right <= line.indent + line.width + 0.01


def test_pure_cjk_line_holds_28_characters() -> None:
    text = "".join(IDEOGRAPHS[:100])
    lines = break_lines([piece(text)], TEXT_WIDTH, measure)
    assert [len(line.text) for line in lines] == [28, 28, 28, 16]
    assert lines[0].natural == pytest.approx(TEXT_WIDTH, abs=1e-6)
    indented = break_lines([piece(text)], TEXT_WIDTH, measure, first_indent=2 * CHAR)
    assert len(indented[0].text) == 26


def test_tracking_is_a_parameter() -> None:
    text = "".join(IDEOGRAPHS[:100])
    lines = break_lines([piece(text)], 30 * SIZE, measure, tracking=1.0)
    assert len(lines[0].text) == 30


def test_seed_sentence_at_text_width() -> None:
    lines = break_lines([piece(SEED)], TEXT_WIDTH, measure, first_indent=2 * CHAR)
    assert [line.text for line in lines] == [
        "2020年共受理群众反映1022.3万件，环比2019年上升",
        "53.01%，其中办理诉求415.7万件，环比上升72.39%，群众诉求",
        "响应率始终保持100%。",
    ]


def test_seed_sentence_narrow_squeezes_and_backs_up() -> None:
    lines = break_lines([piece(SEED)], 10 * CHAR, measure, first_indent=2 * CHAR)
    texts = [line.text for line in lines]
    assert texts == [
        "2020年共受理群众",
        "反映1022.3万件，环比",
        "2019年上升53.01%，其",
        "中办理诉求415.7万件，",  # the comma squeezed in: half a character over
        "环比上升72.39%，群众",
        "诉求响应率始终保持",  # “100%” and “。” move down together
        "100%。",
    ]
    squeezed = lines[3]
    assert squeezed.natural > squeezed.width
    xs = justify(squeezed)
    assert xs[-1] + squeezed.clusters[-1].width == pytest.approx(squeezed.width, abs=0.01)


def test_closing_quote_and_full_stop_pull_the_previous_character_down() -> None:
    text = "一二三四五六七八九“十”。"
    lines = break_lines([piece(text)], 10 * CHAR, measure)
    assert [line.text for line in lines] == ["一二三四五六七八九", "“十”。"]


def test_opening_bracket_never_ends_a_line() -> None:
    lines = break_lines([piece("一二三四五六七八九《十一》")], 10 * CHAR, measure)
    assert [line.text for line in lines] == ["一二三四五六七八九", "《十一》"]


def test_dash_and_ellipsis_stay_whole_and_attached() -> None:
    lines = break_lines([piece("一二三四五六七八九——十……")], 10 * CHAR, measure)
    assert [line.text for line in lines] == ["一二三四五六七八", "九——十……"]
    assert [c.text for c in lines[1].clusters] == ["九", "——", "十", "……"]


def test_keep_piece_moves_whole() -> None:
    pieces = [piece("一二三四五六七"), piece("【待补】", keep=True), piece("。")]
    lines = break_lines(pieces, 10 * CHAR, measure)
    assert [line.text for line in lines] == ["一二三四五六七", "【待补】。"]
    assert {c.tag for c in lines[1].clusters[:4]} == {"missing"}


def test_number_unit_across_pieces_is_not_split() -> None:
    pieces = [piece("一二三四五六七八"), piece("1022.3"), piece("万件")]
    lines = break_lines(pieces, 10 * CHAR, measure)
    assert [line.text for line in lines] == ["一二三四五六七八", "1022.3万件"]


def test_centred_and_last_lines() -> None:
    (line,) = break_lines([piece("标题")], 10 * CHAR, measure)
    assert justify(line, "center")[0] == pytest.approx(4 * CHAR)
    assert justify(line) == [0.0, CHAR]  # a last line: natural spacing, left


def test_empty_paragraph_has_no_lines() -> None:
    assert break_lines([piece("")], 10 * CHAR, measure) == []


def test_forced_break_splits_the_number_before_a_punctuation_rule() -> None:
    lines = break_lines([piece("“2020.3万人次”，一")], 10 * CHAR, measure, first_indent=2 * CHAR)
    assert [line.text for line in lines] == ["“2020.3万人", "次”，一"]
    assert [line.forced for line in lines] == [True, False]


def test_a_url_breaks_at_its_natural_points() -> None:
    lines = break_lines([piece("一二https://www.beijing.gov.cn/12345/index.html?a=1&b=2三")], 10 * CHAR, measure)
    assert [line.text for line in lines] == ["一二https://www.", "beijing.gov.cn/", "12345/index.html?", "a=1&b=2三"]
    assert all(line.natural <= line.width + 1e-6 for line in lines)


@pytest.mark.parametrize("token", ["a" * 3000, "1" * 78 + "万件", "x" * 40 + "。"])
def test_a_token_wider_than_the_line_is_broken_anywhere_and_stays_inside(token: str) -> None:
    lines = break_lines([piece("一二" + token + "三")], 10 * CHAR, measure, first_indent=2 * CHAR)
    assert "".join(line.text for line in lines) == "一二" + token + "三"
    assert all(line.natural <= line.width + 1e-6 for line in lines)
    assert len(lines) > 1
    assert not any(line.text[0] in NO_START for line in lines)


def test_a_token_that_fits_a_line_is_not_cut() -> None:
    lines = break_lines([piece("一二三四五六七八" + "abcdefghij" + "三")], 10 * CHAR, measure)
    assert [line.text for line in lines] == ["一二三四五六七八", "abcdefghij三"]
