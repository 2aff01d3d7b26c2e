"""The registry of evaluation schemes: every ``Scheme`` declared under the entry-point group ``evalbook.schemes``.

A scheme is an installed package whose entry point names an instance of ``evalbook.core.scheme.Scheme``
(``pyproject.toml``: ``[project.entry-points."evalbook.schemes"]``, ``my-scheme = "my_package:SCHEME"``);
the two built-in schemes are declared the same way by evalbook itself. Nothing else names a scheme.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from evalbook.core.errors import InputError, Problem
from evalbook.core.scheme import Scheme

GROUP = "evalbook.schemes"


def _discover() -> dict[str, EntryPoint]:
    """The entry points of the group by name, in name order (one per name: an editable install may list it twice)."""
    found: dict[str, EntryPoint] = {}
    for point in entry_points(group=GROUP):
        found.setdefault(point.name, point)
    return dict(sorted(found.items()))


SCHEMES: dict[str, EntryPoint] = _discover()  # scheme name → its entry point
_LOADED: dict[str, Scheme] = {}


def scheme_names() -> list[str]:
    return list(SCHEMES)


def get_scheme(name: str) -> Scheme:
    """The scheme called ``name``; ``InputError`` when there is none or its plugin is broken."""
    if name not in SCHEMES:
        raise InputError(Problem("命令行 command line", f"未知的考评方案，可用：{'、'.join(SCHEMES)}",
                                 f"unknown scheme; available: {', '.join(SCHEMES)}", column="SCHEME", value=name))
    if name not in _LOADED:
        _LOADED[name] = _load(SCHEMES[name])
    return _LOADED[name]


def _load(point: EntryPoint) -> Scheme:
    """Import a scheme's entry point and check that it is a ``Scheme`` of that name."""
    def broken(zh: str, en: str) -> InputError:
        return InputError(Problem(f"考评方案插件 scheme plugin {point.value}", f"考评方案 {point.name} 无法加载：{zh}",
                                  f"scheme {point.name} cannot be loaded: {en}", column=GROUP, value=point.name))

    try:
        scheme = point.load()
    except Exception as exc:  # a plugin's own bug or a missing dependency: the user must know which plugin
        raise broken(f"导入失败（{type(exc).__name__}: {exc}）", f"import failed ({type(exc).__name__}: {exc})") from exc
    if not isinstance(scheme, Scheme):
        raise broken(f"入口点应指向 evalbook.core.scheme.Scheme 的实例，实际是 {type(scheme).__name__}",
                     f"the entry point must name an instance of evalbook.core.scheme.Scheme, not {type(scheme).__name__}")
    if getattr(scheme, "NAME", None) != point.name:
        raise broken(f"方案名称 NAME 为 {getattr(scheme, 'NAME', None)!r}，与入口点名称不一致",
                     f"its NAME is {getattr(scheme, 'NAME', None)!r}, not the entry point's name")
    return scheme
