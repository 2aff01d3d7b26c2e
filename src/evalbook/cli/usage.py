"""A command line that explains itself: argparse in Chinese then English.

argparse writes its own words in English (``usage:``, ``options``, its error messages). ``Parser``
says them in both languages, and a wrong command line (an unknown command or scheme, a misspelt
option, a missing argument) exits 2 with what was wrong and the closest correct word
(``--yaer`` → ``--year``, ``runn`` → ``run``).
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys

from evalbook.core.registry import SCHEMES


class Formatter(argparse.RawDescriptionHelpFormatter):
    """``用法 usage:`` instead of ``usage:``; descriptions keep their line breaks (Chinese line, English line)."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix if prefix is not None else "用法 usage: ")


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose help and errors are bilingual, with a suggestion for a near miss."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "位置参数 positional arguments"
        self._optionals.title = "选项 options"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="显示本帮助并退出 show this help and exit")
        self._seen: list[str] = []

    def parse_known_args(self, args=None, namespace=None):
        self._seen = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def parse_args(self, args=None, namespace=None):
        """As argparse's, but arguments that no option takes are blamed on the command they were given to,
        so the suggestion comes from that command's options."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            owner = self._command_parser(getattr(parsed, "command", None)) or self
            owner.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed

    def _command_parser(self, name: str | None) -> Parser | None:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction) and name in action.choices:
                return action.choices[name]
        return None

    def error(self, message: str):
        self.print_usage(sys.stderr)
        hint = self._suggestion(message)
        if re.search(r"[\u4e00-\u9fff]", message):  # already bilingual (ours, e.g. an unknown scheme)
            lines = [f"{self.prog}: 错误 error: {message}"]
        else:
            lines = [f"{self.prog}: 错误 error: {translate(message)}", f"    {message}"]
        if hint:
            lines.append(f"    {hint}")
        lines.append(f"    详见 see: {self.prog} --help")
        self.exit(2, "\n".join(lines) + "\n")

    def _suggestion(self, message: str) -> str:
        """The closest correct word for each wrong one in ``message`` or among the arguments given."""
        choice = re.search(r"argument (\S+): invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if choice:
            options = re.findall(r"'?([^',\s]+)'?", choice.group(3))
            return did_you_mean(choice.group(2), options)
        options = [s for a in self._actions for s in a.option_strings if s.startswith("--")]
        unknown = [word.split("=", 1)[0] for word in self._seen
                   if word.startswith("--") and not self._known_option(word.split("=", 1)[0], options)]
        hints = [did_you_mean(word, options) for word in unknown]
        if not any(hints) and "the following arguments are required: scheme" in message:
            hints.append(f"可用方案 schemes: {', '.join(SCHEMES)}")
        return "  ".join(h for h in hints if h)

    def _known_option(self, word: str, options: list[str]) -> bool:
        # argparse accepts an unambiguous prefix (--ye for --year)
        return word in options or (self.allow_abbrev and sum(o.startswith(word) for o in options) == 1)


def did_you_mean(word: str, choices) -> str:
    """The hint "`runn`: 是不是 did you mean `run`?" for the closest of ``choices`` (difflib); "" when none is close."""
    choices = list(choices)
    close = [c for c in choices if c.startswith(word) and len(word) >= 3] or difflib.get_close_matches(word, choices, n=1)
    if not close:
        return ""
    return f"`{word}`: 是不是 did you mean {' / '.join(f'`{c}`' for c in dict.fromkeys(close))}?"


# argparse's English messages (Python 3.11) and what they say in Chinese, most specific first
MESSAGES = [
    (r"argument (?P<arg>\S+): invalid choice: '(?P<value>[^']*)'.*", "{arg} 的取值 {value!r} 无效"),
    (r"argument (?P<arg>\S+): invalid (?P<type>\w+) value: '(?P<value>[^']*)'", "{arg} 的取值 {value!r} 不是有效的{type}"),
    (r"argument (?P<arg>\S+): expected one argument", "{arg} 后面需要一个值"),
    (r"argument (?P<arg>\S+): expected at least one argument", "{arg} 后面至少需要一个值"),
    (r"argument (?P<arg>\S+): ignored explicit argument '(?P<value>[^']*)'", "{arg} 不带值（收到 {value!r}）"),
    (r"argument (?P<arg>\S+): not allowed with argument (?P<other>\S+)", "{arg} 不能与 {other} 同用"),
    (r"argument (?P<arg>\S+): (?P<rest>.*)", "{arg}：{rest}"),
    (r"the following arguments are required: (?P<args>.*)", "缺少必需的参数：{args}"),
    (r"unrecognized arguments: (?P<args>.*)", "无法识别的参数：{args}"),
    (r"ambiguous option: (?P<arg>\S+) could match (?P<options>.*)", "选项 {arg} 有歧义，可能是：{options}"),
]
TYPES = {"int": "整数", "_positive": "正整数", "Path": "路径"}


def translate(message: str) -> str:
    """The Chinese for one of argparse's error messages (the English follows it on the next line)."""
    for pattern, chinese in MESSAGES:
        found = re.fullmatch(pattern, message, flags=re.DOTALL)
        if found:
            words = found.groupdict()
            if "type" in words:
                words["type"] = TYPES.get(words["type"], words["type"])
            if "value" in words:
                return chinese.replace("{value!r}", repr(words.pop("value"))).format(**words)
            return chinese.format(**words)
    return "命令行有误"


def scheme_name(text: str) -> str:
    """argparse ``type`` of a scheme argument: a name in the scheme registry, or exit 2 naming them all."""
    if text in SCHEMES:
        return text
    hint = did_you_mean(text, SCHEMES)
    raise argparse.ArgumentTypeError(
        f"未知的考评方案 unknown scheme {text!r}; 可用方案 schemes: {', '.join(SCHEMES)}" + (f"  {hint}" if hint else ""))


class Version(argparse.Action):
    """``--version``: evalbook's version and the fingerprint of its code (computed only when asked)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from evalbook.run.reuse import code_identity

        identity = code_identity()
        print(f"evalbook {identity['evalbook']} (代码 code sha256 {identity['sha256']})")
        parser.exit(0)
