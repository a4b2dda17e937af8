"""What the command says when something is wrong, and with which exit code: a user's mistake is one
Chinese line and exit 2 (an unusable SOURCE_DATE_EPOCH, a failing template of the edition's own);
a failing built-in template is the builder's bug, exit 3."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SAMPLE

from builder.command.cli import INTERNAL, UNREADABLE, main
from builder.compose import annual


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if not line.startswith("第")]


@pytest.mark.parametrize("value", ["abc", "1.5", "-", "9" * 30], ids=["word", "fraction", "dash", "huge"])
def test_an_unusable_source_date_epoch_is_one_line(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    out = tmp_path / "out"
    assert main(["build", str(SAMPLE), "-o", str(out)]) == UNREADABLE
    stdout, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("环境变量 SOURCE_DATE_EPOCH="), err
    assert "内部错误" not in stdout + err and "Traceback" not in err
    assert not out.exists()


def test_a_failing_built_in_template_is_an_internal_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(annual.TEMPLATES, templates)
    part = templates / "部分" / "来电类型.j2"
    part.write_text(part.read_text(encoding="utf-8") + "\n{{ 1/0 }}\n", encoding="utf-8")
    monkeypatch.setattr(annual, "TEMPLATES", templates.resolve())
    monkeypatch.setenv("BUILDER_CACHE_DIR", "")
    monkeypatch.setenv("BUILDER_JOBS", "1")
    monkeypatch.delenv("BUILDER_DEBUG", raising=False)
    assert main(["build", str(SAMPLE), "-o", str(tmp_path / "out")]) == INTERNAL
    _, err = capsys.readouterr()
    last = error_lines(err)[-1]
    assert last.startswith("内部错误：TemplateBug: 内置模板 部分/来电类型.j2 第"), last
    assert "ZeroDivisionError" in last


def test_an_editions_failing_template_is_the_users_mistake_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    edition = tmp_path / "2020"
    shutil.copytree(SAMPLE, edition)
    own = edition / "templates" / "部分"
    own.mkdir(parents=True)
    source = (annual.TEMPLATES / "部分" / "来电类型.j2").read_text(encoding="utf-8")
    (own / "来电类型.j2").write_text("{{ 一级('来电') }}\n\n这是第三行\n{{ 总量.受理总量 / 0 }}\n" + source, encoding="utf-8")
    monkeypatch.setenv("BUILDER_CACHE_DIR", "")
    assert main(["build", str(edition), "-o", str(tmp_path / "out")]) == UNREADABLE
    _, err = capsys.readouterr()
    lines = error_lines(err)
    assert len(lines) == 1, err
    assert lines[0].startswith(f"{own / '来电类型.j2'}:4: 模板出错："), lines
    assert "TypeError" in lines[0] or "ZeroDivisionError" in lines[0], lines
    assert not (tmp_path / "out").exists()


def test_a_bad_style_file_is_said_in_chinese(tmp_path: Path) -> None:
    from builder.style import StyleError, load_style

    good = (load_style().path).read_text(encoding="utf-8")
    broken = tmp_path / "broken.toml"
    broken.write_text(good.replace("width = 210.0", "width = -210.0", 1), encoding="utf-8")
    with pytest.raises(StyleError) as caught:
        load_style(broken)
    assert str(caught.value) == f"样式文件 {broken}：page.width：应为正数，实为 -210.0"
    missing = tmp_path / "nosuch.toml"
    with pytest.raises(StyleError) as caught:
        load_style(missing)
    assert str(caught.value) == f"样式文件 {missing}：无法读取（找不到该文件或文件夹）"
