"""The command line explains itself: bilingual help with defaults, --version, and wrong usage (exit 2)
answered in Chinese and English with the closest correct word. Through ``main([...])``, and once as
``python -m evalbook`` in a subprocess."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from importlib.metadata import EntryPoint

import pytest

from evalbook import __version__
from evalbook.cli.commands import build_parser, main
from evalbook.cli.usage import did_you_mean, translate
from evalbook.core.registry import GROUP, SCHEMES
from evalbook.run.reuse import code_fingerprint

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3,}")
COMMANDS = ["validate", "run", "verify", "diff", "sign", "pdf", "synth", "suites", "rubric", "template", "ingest",
            "queries"]
SCHEME_COMMANDS = {  # each command that takes a scheme, with the rest of a command line it accepts
    "validate": ["--year", "2023"], "run": ["--year", "2023"], "suites": [], "rubric": [], "template": ["--year", "2023"],
    "synth": ["--institutions", "3", "--year", "2023", "--out", "x"],
    "ingest": ["--year", "2023", "--from", "x"], "queries": ["--year", "2023"],
}


def bilingual(text: str) -> bool:
    return bool(CJK.search(text)) and bool(LATIN.search(text))


def usage_error(capsys, *argv) -> str:
    """A wrong command line: exit 2, no traceback; what it printed (stderr)."""
    with pytest.raises(SystemExit) as stop:
        main([str(a) for a in argv])
    assert stop.value.code == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return captured.err


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return action.choices


# --------------------------------------------------------------------------- help

def test_help_lists_every_command_with_a_bilingual_line(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法 usage: evalbook")
    for command in COMMANDS:
        [line] = [ln for ln in out.splitlines() if ln.strip().startswith(command + " ")]
        assert bilingual(line), line
    assert all(name in out for name in SCHEMES)
    assert "--version" in out and "退出码 exit codes" in out


def test_the_commands_are_the_documented_ones():
    assert list(subcommands(build_parser())) == COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_every_argument_is_explained_in_both_languages_with_its_default(command, capsys):
    sub = subcommands(build_parser())[command]
    for action in sub._actions:
        assert action.help and bilingual(action.help), (command, action.dest)
        if action.default not in (None, False, True, argparse.SUPPRESS):  # flags need not say they are off
            shown = action.help % dict(vars(action), prog=sub.prog)
            assert "default" in shown and str(action.default) in shown, (command, action.dest, shown)
    with pytest.raises(SystemExit) as stop:
        main([command, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert "位置参数 positional arguments" in out or "选项 options" in out
    if command in SCHEME_COMMANDS:
        assert all(name in out for name in SCHEMES)


def test_the_documented_defaults_are_shown(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    run = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    for default in ("默认 default: data)", "默认 default: reports)", "默认 default: 2)", "默认 default: 600)"):
        assert default in run
    with pytest.raises(SystemExit):
        main(["template", "--help"])
    assert "默认 default: templates)" in " ".join(capsys.readouterr().out.split())


def test_the_scheme_names_come_from_the_registry(monkeypatch, capsys):
    """A scheme added to the registry is listed and accepted without touching the command line."""
    monkeypatch.setitem(SCHEMES, "demo-scheme", EntryPoint("demo-scheme", "evalbook.schemes.wendeng_featured:SCHEME", GROUP))
    with pytest.raises(SystemExit):
        main(["validate", "--help"])
    assert "demo-scheme" in capsys.readouterr().out
    assert build_parser().parse_args(["suites", "demo-scheme"]).scheme == "demo-scheme"


# --------------------------------------------------------------------------- --version, bare evalbook

def test_version_names_the_code_fingerprint(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert re.fullmatch(r"evalbook \S+ \(代码 code sha256 [0-9a-f]{64}\)\n", out)
    # the same identity every manifest records (reuse.code_identity)
    assert out == f"evalbook {__version__} (代码 code sha256 {code_fingerprint()})\n"


def test_bare_evalbook_prints_the_help_and_exits_2(capsys):
    assert main([]) == 2
    out = capsys.readouterr().out
    assert out.startswith("用法 usage: evalbook") and all(command in out for command in COMMANDS)


# --------------------------------------------------------------------------- wrong usage: exit 2

def test_an_unknown_command_is_answered_with_the_closest(capsys):
    err = usage_error(capsys, "runn", "wendeng-featured", "--year", "2023")
    assert "'runn'" in err and "无效" in err and "invalid choice" in err
    assert "`runn`: 是不是 did you mean `run`?" in err


def test_a_misspelt_option_is_answered_with_the_closest(capsys):
    # validate requires --year: argparse first says it is missing; the hint names the misspelling
    err = usage_error(capsys, "validate", "wendeng-featured", "--yaer", "2023")
    assert "缺少必需的参数：--year" in err and "the following arguments are required: --year" in err
    assert "`--yaer`: 是不是 did you mean `--year`?" in err
    # run takes --year as optional: the misspelt option is unrecognised, and blamed on `run`, whose options it knows
    err = usage_error(capsys, "run", "wendeng-featured", "--yaer", "2023")
    assert "evalbook run: 错误 error: 无法识别的参数：--yaer 2023" in err
    assert "unrecognized arguments: --yaer 2023" in err and "`--yaer`: 是不是 did you mean `--year`?" in err
    err = usage_error(capsys, "run", "wendeng-featured", "--year", "2023", "--wokers=3")
    assert "`--wokers`: 是不是 did you mean `--workers`?" in err


def test_an_abbreviation_argparse_accepts_is_not_called_a_misspelling(capsys):
    err = usage_error(capsys, "validate", "--ye", "2023")  # the scheme is missing; --ye is --year
    assert "缺少必需的参数：scheme" in err and "did you mean" not in err
    assert all(name in err for name in SCHEMES)


def test_a_missing_or_malformed_value(capsys):
    err = usage_error(capsys, "validate", "wendeng-featured", "--year")
    assert "--year 后面需要一个值" in err and "expected one argument" in err
    err = usage_error(capsys, "validate", "wendeng-featured", "--year", "twenty")
    assert "--year 的取值 'twenty' 不是有效的整数" in err and "invalid int value: 'twenty'" in err
    err = usage_error(capsys, "run", "wendeng-featured", "--year", "2023", "--workers", "0")
    assert "应为正整数 must be a positive whole number: 0" in err


def test_run_without_a_scheme_or_all_is_a_usage_error(capsys):
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "需要方案和 --year" in err and "a scheme and --year are required" in err


@pytest.mark.parametrize("command", SCHEME_COMMANDS)
def test_an_unknown_scheme_exits_2_naming_the_schemes(command, capsys, tmp_path):
    err = usage_error(capsys, command, "wendeng", *SCHEME_COMMANDS[command])
    assert "未知的考评方案 unknown scheme 'wendeng'" in err
    assert f"可用方案 schemes: {', '.join(SCHEMES)}" in err
    assert "`wendeng`: 是不是 did you mean `wendeng-featured`?" in err
    assert not (tmp_path / "x").exists()


def test_an_unknown_scheme_far_from_any_gets_the_list_only(capsys):
    err = usage_error(capsys, "suites", "xyz")
    assert "可用方案 schemes" in err and "did you mean" not in err


def test_suggestions_by_hand():
    assert did_you_mean("runn", COMMANDS) == "`runn`: 是不是 did you mean `run`?"
    assert did_you_mean("naiman", SCHEMES) == "`naiman`: 是不是 did you mean `naiman-specialty`?"  # a prefix
    assert did_you_mean("qqqq", COMMANDS) == ""
    assert translate("argument --kernels: invalid choice: 'forks' (choose from 'fork', 'spawn')") == \
        "--kernels 的取值 'forks' 无效"
    assert translate("something argparse may say one day") == "命令行有误"


# --------------------------------------------------------------------------- a year with no data

def data_folder(tmp_path, scheme: str, years: list[str]):
    data = tmp_path / "data"
    for year in years:
        (data / scheme / year).mkdir(parents=True)
    (data / scheme).mkdir(parents=True, exist_ok=True)
    (data / scheme / "institutions.csv").write_text("code,name\n", encoding="utf-8")
    return data


@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_year_with_no_data_names_the_years_there_are(command, tmp_path, capsys):
    data = data_folder(tmp_path, "wendeng-featured", ["2023", "2022", "notes"])
    out = tmp_path / "reports"
    extra = ["--out", out] if command == "run" else []
    code = main([str(a) for a in [command, "wendeng-featured", "--year", "2030", "--data", data, *extra]])
    text = capsys.readouterr()
    assert code == 1 and "Traceback" not in text.err
    # one problem, not one "required file is missing" per file; years sorted, the folder "notes" is no year
    assert text.out.count("[错误 ERROR]") == 1 and "required file is missing" not in text.out
    assert f"{data / 'wendeng-featured'}/2030/, 列 column '--year'; 值 value=2030" in text.out
    assert "现有年度：2022、2023" in text.out and "years present: 2022, 2023" in text.out
    assert not out.exists()


def test_prefilling_templates_from_a_year_with_no_data_is_refused(tmp_path, capsys):
    """Before: 22 empty templates and "prefilled from the current CSVs"; there was nothing to prefill from."""
    data = data_folder(tmp_path, "wendeng-featured", ["2023"])
    out = tmp_path / "templates"
    assert main(["template", "wendeng-featured", "--year", "2030", "--data", str(data), "--out", str(out), "--prefill"]) == 1
    assert "years present: 2023" in capsys.readouterr().out and not out.exists()


def test_a_scheme_with_no_year_at_all(tmp_path, capsys):
    data = data_folder(tmp_path, "wendeng-featured", [])
    assert main(["validate", "wendeng-featured", "--year", "2030", "--data", str(data)]) == 1
    out = capsys.readouterr().out
    assert "现有年度：无" in out and "years present: none" in out


def test_files_kept_directly_in_the_scheme_folder_are_still_read(tmp_path, capsys):
    """naiman-specialty may keep its files in its own folder (no year folder): no "no such year" there."""
    data = data_folder(tmp_path, "naiman-specialty", [])
    (data / "naiman-specialty" / "indicators.csv").write_text("code\n", encoding="utf-8")
    assert main(["validate", "naiman-specialty", "--year", "2030", "--data", str(data)]) == 1  # bad files, read
    out = capsys.readouterr().out
    assert "years present" not in out and "indicators.csv" in out


# --------------------------------------------------------------------------- as a process

def test_python_m_evalbook_in_a_process():
    wrong = subprocess.run([sys.executable, "-m", "evalbook", "valdate", "wendeng-featured", "--year", "2023"],
                           capture_output=True, text=True, timeout=120)
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    assert "`valdate`: 是不是 did you mean `validate`?" in wrong.stderr
    bare = subprocess.run([sys.executable, "-m", "evalbook"], capture_output=True, text=True, timeout=120)
    assert bare.returncode == 2 and bare.stdout.startswith("用法 usage: evalbook")
