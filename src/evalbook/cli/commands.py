"""The ``evalbook`` command: validate, run, verify, pdf, suites, rubric, template, ingest, synth.

Exit codes: 0 done; 1 the input is wrong or a report failed (every problem is printed, in
Chinese and English, with file, row, column, value and rule; nothing published is touched);
2 the command line itself is wrong (bare ``evalbook`` too; the help and the messages are in ``usage``).
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import sys
import threading
import time
from pathlib import Path

from evalbook.cli.usage import Parser, Version, scheme_name
from evalbook.core.errors import InputError, Problem, print_problems
from evalbook.core.extras import MissingExtra, require
from evalbook.core.registry import SCHEMES

YEAR_HELP = "考评年度，如 2023 evaluation year, e.g. 2023"
DATA_HELP = "数据文件夹，内有 <方案>/<年度>/ data folder holding <scheme>/<year>/ (默认 default: %(default)s)"


def build_parser() -> argparse.ArgumentParser:
    """The command line; the schemes it names are those of the registry (``evalbook.core.registry.SCHEMES``)."""
    schemes = ", ".join(SCHEMES)
    parser = Parser(prog="evalbook", description="可复现的医疗机构考评工作簿\nReproducible evaluation workbooks\n\n"
                    f"考评方案 schemes: {schemes}\n"
                    "每个命令的说明 each command's help: evalbook COMMAND --help",
                    epilog="退出码 exit codes: 0 完成 done; 1 输入有误或报告失败 invalid input or a failed report; "
                           "2 命令行有误 wrong command line; 130 中断 interrupted; 143 SIGTERM")
    parser.add_argument("--version", action=Version, help="显示版本与代码指纹并退出 show the version and code fingerprint")
    commands = parser.add_subparsers(dest="command", required=True, title="命令 commands", metavar="COMMAND",
                                     parser_class=Parser)

    def command(name: str, zh: str, en: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=f"{zh} {en}", description=f"{zh}\n{en}")

    def scheme(sub, **kwargs) -> None:
        sub.add_argument("scheme", type=scheme_name, help=f"考评方案 scheme: {schemes}{kwargs.pop('note', '')}", **kwargs)

    def year(sub, required: bool = True) -> None:
        sub.add_argument("--year", type=int, required=required, help=YEAR_HELP + ("（必需 required）" if required else ""))

    def data(sub) -> None:
        sub.add_argument("--data", type=Path, default=Path("data"), metavar="DIR", help=DATA_HELP)

    validate = command("validate", "校验一个年度的数据", "validate a year's data")
    scheme(validate)
    year(validate)
    data(validate)

    run = command("run", "校验、评分并生成报告", "validate, score and build the reports")
    scheme(run, nargs="?", note="（用 --all 时省略 omitted with --all）")
    year(run, required=False)
    run.add_argument("--all", action="store_true",
                     help="运行 data/ 中找到的每个方案和年度，并生成 reports/index.html run every scheme and year in data/")
    data(run)
    run.add_argument("--out", type=Path, default=Path("reports"), metavar="DIR",
                     help="报告输出文件夹 output folder, writes DIR/<scheme>/<year>/ (默认 default: %(default)s)")
    run.add_argument("--only", nargs="+", metavar="CODE", help="只重建这些机构的报告 rebuild only these institutions' reports")
    run.add_argument("--workers", type=_positive, default=2, metavar="N",
                     help="本机并行运行的笔记本数 notebooks run at once here (默认 default: %(default)s)")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="把笔记本交给已有的 Dask 集群运行 run the notebooks on this Dask scheduler (tcp://host:8786)")
    run.add_argument("--resume", action="store_true",
                     help="跳过输入、规则和笔记本均未改变的报告 keep reports whose inputs, rubric and notebook are unchanged")
    run.add_argument("--timeout", type=_positive, default=600, metavar="SECONDS",
                     help="每个单元格的时限（秒）per-cell time limit, seconds (默认 default: %(default)s)")
    run.add_argument("--no-prestart", dest="prestart", action="store_false",
                     help="不预先启动下一个内核（内存紧张时）do not start the next kernel ahead (when memory is short)")
    run.add_argument("--kernels", choices=("fork", "spawn"), default="fork",
                     help="fork：从已导入 pandas 等的进程派生全新内核（默认，快）；spawn：普通方式启动内核 "
                          "fork: fresh kernels forked from a warm process (default, fast); spawn: ordinary kernels")

    verify = command("verify", "核验已发布的结果能否由记录的输入、规则和笔记本复现", "prove published results reproduce")
    verify.add_argument("path", type=Path, metavar="OUT/SCHEME/YEAR[/FOLDER]",
                        help="已发布的年度文件夹或其中一个报告文件夹 a published year folder or one report folder in it")
    verify.add_argument("--workers", type=_positive, default=2, metavar="N",
                        help="同时重新执行的笔记本数 notebooks re-executed at once (默认 default: %(default)s)")

    # revisions and sign-off (round/)
    diff = command("diff", "比较两次发布：每个变动的数值（changes.csv）与更正说明（changes.html）",
                   "what changed between two publications: changes.csv and changes.html")
    diff.add_argument("old", type=Path, metavar="OLD_YEAR_DIR", help="较早的发布（年度文件夹或 history/N）the earlier one")
    diff.add_argument("new", type=Path, metavar="NEW_YEAR_DIR", help="较新的发布 the later publication")
    diff.add_argument("--out", type=Path, metavar="DIR",
                      help="把 changes.csv 与 changes.html 写入 DIR（原子写入；不能在发布的年度文件夹内）；"
                           "省略时把 changes.csv 打印到标准输出 write changes.csv and changes.html into DIR "
                           "(atomically; never inside a published year); without it changes.csv is printed")
    sign = command("sign", "签署一次发布：签署人、身份、时间与清单 sha256 追加到 signatures.json",
                   "sign a publication off: name, role, time and the manifest's sha256 appended to signatures.json")
    sign.add_argument("path", type=Path, metavar="OUT/SCHEME/YEAR", help="已发布的年度文件夹 a published year folder")
    sign.add_argument("--by", required=True, metavar="NAME", help="签署人姓名（必需）who signs (required)")
    sign.add_argument("--role", required=True, metavar="ROLE", help="签署人身份，如 医政科科长（必需）as what (required)")
    sign.add_argument("--note", metavar="TEXT", help="说明（可选）a note (optional)")

    pdf = command("pdf", "用 Chromium 把报告打印为 PDF（report.pdf 与 report.html 同目录）", "print reports to PDF")
    pdf.add_argument("path", type=Path, metavar="OUT/SCHEME/YEAR | REPORT_FOLDER | FILE.html",
                     help="已发布的年度文件夹、报告文件夹或 .html 文件 a published year folder, a report folder or an .html file")
    pdf.add_argument("--bulletin", action="store_true",
                     help="打印该年度的结果通报（通报.pdf：排名、奖项与奖金、评分口径、口径稳定性、签署），仅由已发布的文件生成 "
                          "print the year's 通报 (通报.pdf: rankings, awards and prizes, policy, stability, signatures) "
                          "from its published files only")

    synth = command("synth", "生成任意规模的合成示例队列", "write a valid synthetic cohort of any size")
    scheme(synth)
    size = synth.add_mutually_exclusive_group(required=True)
    size.add_argument("--institutions", type=_positive, metavar="N",
                      help="合成机构数（与 --specialties 二选一）number of institutions (this or --specialties)")
    size.add_argument("--specialties", type=_positive, metavar="N",
                      help="合成专科数，恰好 N 个，分布在按示例数据抽取的机构中（仅限以专科为考评对象的方案，如 "
                           "naiman-specialty；与 --institutions 二选一）exactly N specialties, spread over institutions "
                           "drawn as for --institutions (schemes that evaluate specialties, e.g. naiman-specialty; "
                           "this or --institutions)")
    year(synth)
    synth.add_argument("--out", type=Path, required=True, metavar="DIR",
                       help="写入 DIR/<方案>/（该文件夹须不存在或为空，从不覆盖数据；必需）"
                            "writes DIR/<scheme>/, which must be new or empty (required)")
    synth.add_argument("--seed", type=int, default=20261124, metavar="S",
                       help="随机种子：同一种子，同样的字节 random seed: same seed, same bytes (默认 default: %(default)s)")

    suites = command("suites", "由列定义生成校验套件", "write the suites from the column declarations")
    scheme(suites)
    suites.add_argument("--check", action="store_true", help="只检查是否需要更新 only check that they are up to date")

    rubric = command("rubric", "由评分规则文件生成规则说明（Markdown）", "print the scheme's rules as implemented, in Markdown")
    scheme(rubric)
    rubric.add_argument("--out", type=Path, metavar="FILE",
                        help="写入该文件（原子写入）write FILE (atomically) instead of printing")
    rubric.add_argument("--check", action="store_true",
                        help="只检查 docs/rules/<方案>.md（或 --out 的文件）是否最新 "
                             "only check that docs/rules/<scheme>.md (or the --out file) is current")

    template = command("template", "生成各机构的 Excel 填报模板", "write each institution's Excel template")
    scheme(template)
    year(template)
    data(template)
    template.add_argument("--out", type=Path, default=Path("templates"), metavar="DIR",
                          help="模板输出文件夹 folder for the templates (默认 default: %(default)s)")
    template.add_argument("--prefill", action="store_true",
                          help="用该年度现有的 CSV 数据预先填好 fill in the year's current CSV data")
    template.add_argument("--for", dest="owner", choices=("hospital", "committee"), default="hospital",
                          help="hospital：每个机构一个工作簿（默认）one workbook per institution (default); "
                               "committee：考评组一个工作簿（全部机构）one committee workbook for all institutions")

    ingest = command("ingest", "把填好的 Excel 工作簿读入该年度的 CSV 文件", "read filled workbooks into the year's CSV files")
    scheme(ingest)
    year(ingest)
    ingest.add_argument("--from", dest="source", type=Path, required=True, metavar="DIR",
                        help="存放填好的 .xlsx 的文件夹（必需）folder of filled .xlsx workbooks (required)")
    data(ingest)
    ingest.add_argument("--dry-run", action="store_true",
                        help="只显示各文件将新增、修改、删除的行数，不写入任何文件 show the rows each file would gain, "
                             "change and lose; write nothing")

    queries = command("queries", "为每个数据有问题的机构生成数据质疑函",
                      "write a letter of queries to each institution whose data have problems")
    scheme(queries)
    year(queries)
    data(queries)
    queries.add_argument("--out", type=Path, default=Path("queries"), metavar="DIR",
                         help="写入 DIR/<方案>/<年度>/<机构代码>.html 与 queries.csv writes DIR/<scheme>/<year>/<code>.html and "
                              "queries.csv (默认 default: %(default)s)")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    if not argv:  # bare `evalbook`: what it can do, and 2 as for any incomplete command line
        parser.print_help()
        return 2
    args = parser.parse_args(argv)
    _skip_slow_optional_imports()
    previous = signal.getsignal(signal.SIGTERM)
    terminated = _terminate_like_ctrl_c()
    try:
        return _dispatch(args, terminated)
    finally:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, previous)


def _dispatch(args, terminated: list[int]) -> int:
    try:
        return {"validate": _validate, "run": _run, "suites": _suites, "rubric": _rubric, "template": _template,
                "ingest": _ingest, "synth": _synth, "verify": _verify, "pdf": _pdf,
                "queries": _queries, "diff": _diff, "sign": _sign}[args.command](args)
    except InputError as exc:
        print_problems(exc.problems)
        return 1
    except MissingExtra as exc:
        print(f"[错误 ERROR] {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        how = ("已终止（SIGTERM）", "Terminated (SIGTERM)") if terminated else ("已中断", "Interrupted")
        print(f"{how[0]}：未发布任何新结果，原有结果保持不变（run 已完成的报告保留，可用 --resume 继续）。\n"
              f"{how[1]}: nothing new was published; a run's finished reports are kept for --resume.", file=sys.stderr)
        return 143 if terminated else 130
    except BrokenPipeError:  # the reader of our output went away (`| head`): nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        where = exc.filename or getattr(args, "out", None) or getattr(args, "data", None) or ""
        zh, en = OS_REASONS.get(exc.errno, ("无法读写", "cannot read or write"))
        print(f"[错误 ERROR] {where}: {zh} {en} ({exc.strerror})\n"
              "    未发布任何新结果，原有输出保持不变。Nothing new was published; previous outputs are untouched.",
              file=sys.stderr)
        return 1


OS_REASONS = {
    errno.ENOSPC: ("磁盘空间不足，请清理后重试", "no space left on the disk; free some and run again"),
    errno.EDQUOT: ("超出磁盘配额", "disk quota exceeded"),
    errno.EACCES: ("没有写入权限", "permission denied"),
    errno.EPERM: ("不允许写入（文件夹只读或受保护）", "not permitted (the folder is read-only or protected)"),
    errno.EROFS: ("只读文件系统", "read-only file system"),
    errno.ENOTDIR: ("路径中有一段是文件而不是文件夹", "a part of the path is a file, not a folder"),
}


def _terminate_like_ctrl_c() -> list[int]:
    """SIGTERM (``kill``, a service manager, a closed session) takes Ctrl-C's path: kernels and the fork server
    are stopped, nothing is published, temporary files are removed. The returned list is non-empty once it came."""
    received: list[int] = []

    def on_term(signum, _frame):
        received.append(signum)
        if len(received) == 1:  # a second SIGTERM while stopping does not cut the clean-up short
            raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_term)
    return received


def _skip_slow_optional_imports() -> None:
    """jsonschema (imported by nbformat and Great Expectations) tries the optional ``rfc3987_syntax``,
    which builds a lark grammar at import: 1.5–3 s of every command, for IRI format checks that no
    schema we use asks for. Marking it absent in this process makes jsonschema skip it."""
    sys.modules.setdefault("rfc3987_syntax", None)


def _check_year(scheme_name: str, year: int, data: Path) -> None:
    """``--year`` names a year that has no data: say so once, with the years the data folder has, rather than
    one "required file is missing" per file. (A scheme folder that is missing altogether is left to the
    reading, which names institutions.csv; a scheme whose files may sit directly in its folder is read there.)"""
    from evalbook.core.registry import get_scheme

    scheme = get_scheme(scheme_name)
    folder = Path(data) / scheme.NAME
    if not folder.is_dir() or (folder / str(year)).is_dir():
        return
    per_year = [file for file in scheme.FILES if file not in scheme.ROOT_FILES]
    if scheme.FLAT_FALLBACK and any((folder / file).exists() for file in per_year):
        return
    years = sorted(p.name for p in folder.iterdir() if p.is_dir() and p.name.isdigit())
    raise InputError(Problem(f"{folder}/{year}/", f"数据文件夹中没有该年度；现有年度：{'、'.join(years) or '无'}",
                             f"no such year in the data folder; years present: {', '.join(years) or 'none'}",
                             column="--year", value=year))


def _validate(args) -> int:
    from evalbook.run.batch import validate_year

    _check_year(args.scheme, args.year, args.data)
    intake = validate_year(args.scheme, args.year, args.data)
    print_problems(intake.outcome.problems)
    checked = len(intake.outcome.summary)
    warned, implausible = len(intake.warnings) - len(intake.implausible), len(intake.implausible)
    if intake.errors:
        print(f"校验未通过：{len(intake.errors)}个错误，{warned}个警告（{checked}条规则）。"
              f"Validation failed: {len(intake.errors)} errors, {warned} warnings.")
        return 1
    print(f"校验通过：{checked}条规则，{warned}个警告，{implausible}个存疑值（请核实，不影响评分）。"
          f"Validation passed: {checked} rules, {warned} warnings, {implausible} implausible values (to check; not scored).")
    return 0


def _run(args) -> int:
    from evalbook.run.batch import RunOptions, check_codes

    check_codes(args.only)
    if args.all and (args.scheme or args.year or args.only):
        return _usage("--all 不能与方案、--year 或 --only 同用 --all takes no scheme, --year or --only")
    if not args.all and (not args.scheme or args.year is None):
        return _usage("需要方案和 --year，或者 --all  a scheme and --year are required, or --all")
    if args.scheduler:
        require("dask")
    options = RunOptions(workers=args.workers, scheduler=args.scheduler, resume=args.resume, timeout=args.timeout,
                         prestart=args.prestart, kernels=args.kernels)
    from evalbook.round.revisions import Revisions  # each publication a revision, earlier ones in history/

    options.revisions = Revisions()
    if args.kernels == "fork" and not args.scheduler:
        from evalbook.engine import kernel_forks

        if kernel_forks.available():
            options.forks = kernel_forks.ForkServer()  # warms up on the other core while we validate
    try:
        if args.all:
            from evalbook.run.overview import run_all

            return run_all(args.data, args.out, options, _run_one)
        return _run_one(args.scheme, args.year, args.data, args.out, args.only, options)[0]
    finally:
        if options.forks is not None:
            options.forks.stop()
        from evalbook.engine.kernels import remove_socket_dir

        remove_socket_dir()


def _run_one(scheme: str, year: int, data: Path, out: Path, only, options) -> tuple[int, object]:
    """One scheme-year: validate, run, print the summary. Returns (exit code, RunReport or None)."""
    from evalbook.run.batch import run_year, validate_year

    started = time.perf_counter()
    _check_year(scheme, year, data)
    intake = validate_year(scheme, year, data)
    validated = time.perf_counter() - started
    print_problems(intake.outcome.problems)
    if intake.errors:
        print(f"数据有误，未评分、未发布，{out} 中原有结果保持不变。"
              f"Invalid data: nothing scored or published; previous outputs are untouched.", file=sys.stderr)
        return 1, None
    report = run_year(scheme, year, data, out, only, intake=intake, options=options)
    total = time.perf_counter() - started
    ran = len(report.built) + len(report.failures)
    print(f"完成：{len(report.built)}份报告生成，{len(report.resumed)}份未改变而保留，{len(report.failures)}份失败；"
          f"用时{total:.1f}秒（其中读取与校验{validated:.1f}秒）。输出 {report.target}\n"
          f"Done: {len(report.built)} built, {len(report.resumed)} unchanged and kept, {len(report.failures)} failed "
          f"of {ran + len(report.resumed)} in {total:.1f}s (reading and validation {validated:.1f}s, "
          f"notebooks {report.notebook_seconds:.1f}s).")
    _print_changes(report)
    if report.failures:
        print(f"{len(report.failures)}份报告失败（各重试一次），其余已发布；失败的报告页说明了原因。"
              "修正后用 --resume 只重建它们。\n"
              f"{len(report.failures)} report(s) failed after one retry; the others were published. "
              "Fix the cause and rerun with --resume to rebuild only those.", file=sys.stderr)
        for key, message in report.failures.items():
            print(f"  ✗ {key}: {message}", file=sys.stderr)
        return 1, report
    return 0, report


def _print_changes(report) -> None:
    """--only: the other reports kept, and those rebuilt because what they show changed; any run: who moved
    since the last one."""
    if report.kept:
        print(f"另有{len(report.kept)}份报告不受更正影响，沿用已发布的版本（其输入存档于 inputs/，可核验）。\n"
              f"{len(report.kept)} other report(s) unaffected by the correction were kept as published "
              "(their inputs are archived in inputs/, so verify still proves them).")
    if report.stale:
        names = "、".join(report.stale)
        print(f"另有{len(report.stale)}份报告因其显示的名次、奖项、总成绩或组内数据随更正而改变，一并重建：{names}\n"
              f"{len(report.stale)} other report(s) rebuilt because what they show changed with the correction: "
              f"{', '.join(report.stale)}")
    if report.unarchived:
        print(f"另有{len(report.unarchived)}份报告的原始输入已不存在（发布于输入存档之前），无法沿用，一并重建："
              f"{'、'.join(report.unarchived)}\n{len(report.unarchived)} other report(s) rebuilt because the inputs they "
              f"were built from exist nowhere any more (published before inputs were archived): "
              f"{', '.join(report.unarchived)}")
    if report.moved:
        print("与上次发布相比的变动（之前 → 之后）Changes since the last published run (before → after):")
        for unit, changes in report.moved:
            print(f"  {unit}: " + "; ".join(change.render() for change in changes))


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数 must be a positive whole number: {text}")
    return value


def _usage(message: str, command: str = "run") -> int:
    print(f"evalbook {command}: 错误 error: {message}\n    详见 see: evalbook {command} --help", file=sys.stderr)
    return 2


def _verify(args) -> int:
    from evalbook.audit.verify import IDENTICAL, LABELS, verify

    def show(finding) -> None:
        remark = f"（{finding.remark}）" if finding.remark else ""
        print(f"  {'✓' if finding.status == IDENTICAL else '✗'} {finding.unit}: {LABELS[finding.status]}{remark}",
              flush=True)
        for note in finding.notes:
            print(f"      · {note}", flush=True)
        for detail in finding.details:
            print(f"      {detail}", flush=True)

    started = time.perf_counter()
    print(f"核验 verifying {args.path}：重算并逐一比对 recomputing and comparing …", flush=True)
    findings = verify(args.path, log=show, workers=args.workers)
    bad = [f for f in findings if f.status != IDENTICAL]
    seconds = time.perf_counter() - started
    if bad:
        print(f"核验未通过：{len(bad)}/{len(findings)}项不能复现（{seconds:.1f}秒）。"
              f"Not verified: {len(bad)} of {len(findings)} do not reproduce.", file=sys.stderr)
        return 1
    print(f"核验通过：{len(findings)}项全部一致（{seconds:.1f}秒）。Verified: all {len(findings)} reproduce identically.")
    return 0


def _diff(args) -> int:
    from evalbook.round.compare import diff

    return diff(args.old, args.new, args.out)


def _sign(args) -> int:
    from evalbook.round.signatures import sign

    entry = sign(args.path, args.by, args.role, args.note)
    print(f"已签署 signed: {entry['name']}（{entry['role']}）{entry['time']} manifest.json sha256 {entry['manifest_sha256']}")
    return 0


def _pdf(args) -> int:
    from evalbook.output.browser import BrowserMissing, pages_to_print, print_pdfs

    started = time.perf_counter()
    if args.bulletin:
        return _bulletin(args.path, started)
    pages = pages_to_print(args.path)
    print(f"打印 printing {len(pages)} 份报告 page(s) to PDF with Chromium …", flush=True)
    try:
        failures = print_pdfs(pages)
    except BrowserMissing as exc:
        print(f"[错误 ERROR] {exc}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    if failures:
        print(f"{len(failures)}/{len(pages)}份未能打印为 PDF（原因见上），其余已写入（{seconds:.1f}秒）。"
              f"{len(failures)} of {len(pages)} not printed (reasons above); the others were written.", file=sys.stderr)
        return 1
    print(f"完成：{len(pages)}份 PDF，与各 HTML 同目录（{seconds:.1f}秒）。Done: {len(pages)} PDF(s) beside their HTML.")
    return 0


def _bulletin(path: Path, started: float) -> int:
    """``evalbook pdf OUT/SCHEME/YEAR --bulletin``: the year's 通报.pdf (round/bulletin.py)."""
    from evalbook.output.browser import BrowserMissing

    if path.suffix == ".html" or (path / "report.html").is_file():
        return _usage("--bulletin 需要已发布的年度文件夹 OUT/方案/年度，不是报告文件夹或 .html 文件 "
                      "--bulletin takes a published year folder (OUT/SCHEME/YEAR), not a report folder or an .html file",
                      command="pdf")
    from evalbook.round.bulletin import print_bulletin

    print(f"打印通报 printing the 通报 of {path} with Chromium …", flush=True)
    try:
        target = print_bulletin(path)
    except BrowserMissing as exc:
        print(f"[错误 ERROR] {exc}", file=sys.stderr)
        return 1
    print(f"完成：{target}（{time.perf_counter() - started:.1f}秒）。Done: the 通报 is {target}.")
    return 0


def _synth(args) -> int:
    from evalbook.inputs.synth import synthesize

    started = time.perf_counter()
    folder = synthesize(args.scheme, args.institutions, args.year, args.out, seed=args.seed, specialties=args.specialties)
    if args.specialties is not None:
        zh, en = f"{args.specialties}个合成专科", f"{args.specialties} specialties"
    else:
        zh, en = f"{args.institutions}个合成机构", f"{args.institutions} institutions"
    print(f"已生成{zh}（示例数据）：{folder}，用时{time.perf_counter() - started:.1f}秒\n"
          f"Wrote a synthetic cohort of {en} to {folder}.\n"
          f"下一步 next: evalbook validate {args.scheme} --year {args.year} --data {args.out}")
    return 0


def _suites(args) -> int:
    from evalbook.core.registry import get_scheme
    from evalbook.inputs.suites import stale_suites, write_suites

    scheme = get_scheme(args.scheme)
    if args.check:
        stale = stale_suites(scheme)
        if stale:
            print(f"需要更新的校验套件 suites out of date: {', '.join(stale)}（运行 evalbook suites {scheme.NAME}）")
            return 1
        print("校验套件是最新的。Suites are up to date.")
        return 0
    for path in write_suites(scheme):
        print(path)
    return 0


def _rubric(args) -> int:
    from evalbook.output.rubric_docs import docs_path, rubric_markdown, write_atomic

    text = rubric_markdown(args.scheme)
    if args.check:
        path = args.out or docs_path(args.scheme)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            print(f"规则说明需要更新 rules doc out of date: {path}（运行 evalbook rubric {args.scheme} --out {path}）")
            return 1
        print(f"规则说明是最新的。Rules doc is up to date: {path}")
        return 0
    if args.out:
        write_atomic(args.out, text)
        print(args.out)
    else:
        sys.stdout.write(text)
    return 0


def _template(args) -> int:
    from evalbook.core.registry import get_scheme
    from evalbook.excel.scheme_io import write_templates

    if args.prefill:  # nothing to fill in from a year with no data: say which years have some
        _check_year(args.scheme, args.year, args.data)
    written = write_templates(get_scheme(args.scheme), args.year, args.data, args.out, prefill=args.prefill, owner=args.owner)
    for path in written:
        print(path)
    folder = written[0].parent if written else args.out
    whose = "考评组" if args.owner == "committee" else ""
    print(f"已生成{len(written)}个{whose}模板{'（已预填现有数据）' if args.prefill else ''}：{folder}\n"
          f"Wrote {len(written)} {args.owner} templates{' (prefilled from the current CSVs)' if args.prefill else ''}.")
    return 0


def _ingest(args) -> int:
    from evalbook.core.registry import get_scheme
    from evalbook.excel.scheme_io import ingest

    scheme = get_scheme(args.scheme)
    report = ingest(scheme, args.year, args.source, args.data, dry_run=args.dry_run)
    print_problems(report.problems)
    if report.errors:
        print(f"读入未完成：{len(report.errors)}个错误。CSV 文件均未改动。"
              f"Nothing ingested: {len(report.errors)} errors; no CSV file was changed.", file=sys.stderr)
        return 1
    _print_ingested(report)
    if args.dry_run:
        print("试读 --dry-run：以上为将要做的改动，未写入任何文件。Dry run: nothing was written.")
    else:
        print(f"已记录报送 on record: {report.folder}/submissions.csv（+{len(report.received)} 行 lines），"
              f"工作簿原样保存于 workbooks kept in {report.folder}/submissions/")
        print(f"Ingested {len(report.submissions)} workbooks; other institutions' rows and other owners' files were kept.\n"
              f"下一步 next: evalbook validate {scheme.NAME} --year {args.year} --data {args.data}")
    return 0


def _queries(args) -> int:
    """Letters for every institution with a problem; exit 0 once written, invalid data or not (the letters are
    the point); 1 only when the rubric or the data folder cannot be read, or the letters cannot be written."""
    from evalbook.round.queries import write_queries
    from evalbook.run.batch import validate_year

    folder = Path(args.data) / args.scheme
    if not folder.is_dir():  # no letters to write from nothing: the folder itself is wrong
        raise InputError(Problem(str(folder), "找不到该方案的数据文件夹", "the scheme's data folder does not exist",
                                 column="--data", value=str(args.data)))
    _check_year(args.scheme, args.year, args.data)
    report = write_queries(validate_year(args.scheme, args.year, args.data), args.out)
    loose = len(report.unattributed)
    print(f"已生成{len(report.letters)}封数据质疑函（共{len(report.queries)}个问题，其中{loose}个不属于单个机构，只列在 "
          f"queries.csv 中）：{report.folder}\nWrote {len(report.letters)} letters of queries ({len(report.queries)} problems, "
          f"{loose} not of one institution, listed in queries.csv only) to {report.folder}")
    return 0


def _print_ingested(report) -> None:
    """Per file: whose it is, the rows added / changed / removed, and whether it was (or would be) written."""
    from evalbook.excel.layout import OWNER_LABELS

    labels = "、".join(s.label() for s in report.submissions)  # code, code-专科, or 考评组
    print(f"已读入{len(report.submissions)}个工作簿（{labels}），数据文件夹 {report.folder}：")
    for file, changes in report.changes.items():
        owner = report.owners[file]
        if file in report.written:
            done = "将写入 would be written" if report.dry_run else "已写入 written"
            if not changes.any:
                done += "（内容不变，仅格式规范化 same rows, rewritten in canonical form）"
        else:
            done = "内容不变，未改写 unchanged, not rewritten"
        print(f"  {file}（{OWNER_LABELS[owner]} {owner}）：{changes.text()}；{done}")
    for file in report.kept:
        owner = report.owners[file]
        print(f"  {file}（{OWNER_LABELS[owner]} {owner}）：未收到该方的工作簿，保持不变 kept: no workbook of its owner")
