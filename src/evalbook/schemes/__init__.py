"""The evaluation schemes shipped with evalbook, one sub-package each exposing ``SCHEME`` (see ``evalbook.core.registry``)."""
