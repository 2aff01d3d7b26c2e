"""Scheme ``wendeng-featured``: 特色医疗综合考评."""
