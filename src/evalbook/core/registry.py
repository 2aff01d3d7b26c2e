"""The registry of evaluation schemes: a scheme is a module with the same few names.

Each scheme module defines ``NAME``, ``TITLE``, ``FILES`` (file name → columns),
``ROOT_FILES`` (files kept once per scheme, not per year), ``REQUIRED_FILES``,
``OPTIONAL_COLUMNS``, ``FILE_LABELS``, ``suites()``, ``load_rubric()``, ``suite_parameters()``,
``derive()`` and ``cross_checks()``. Adding a scheme means adding its module here and its folders.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from evalbook.core.errors import InputError, Problem

SCHEMES = {"wendeng-featured": "evalbook.schemes.wendeng_featured.scheme",
           "naiman-specialty": "evalbook.schemes.naiman_specialty.scheme"}


def get_scheme(name: str) -> ModuleType:
    """The scheme module called ``name``; ``InputError`` when there is none."""
    if name not in SCHEMES:
        raise InputError(Problem("命令行 command line", f"未知的考评方案，可用：{'、'.join(SCHEMES)}",
                                 f"unknown scheme; available: {', '.join(SCHEMES)}", column="SCHEME", value=name))
    return import_module(SCHEMES[name])
