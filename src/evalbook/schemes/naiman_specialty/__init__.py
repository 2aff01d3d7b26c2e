"""Scheme ``naiman-specialty``: 临床重点专科建设评估 (``SCHEME``, declared under the entry-point group ``evalbook.schemes``)."""

from evalbook.schemes.naiman_specialty.scheme import NaimanSpecialty

SCHEME = NaimanSpecialty()
