"""The evaluation schemes shipped with evalbook, one sub-package each (see ``evalbook.core.registry``)."""
