"""Scheme ``wendeng-featured``: 特色医疗综合考评 (``SCHEME``, declared under the entry-point group ``evalbook.schemes``)."""

from evalbook.schemes.wendeng_featured.scheme import WendengFeatured

SCHEME = WendengFeatured()
