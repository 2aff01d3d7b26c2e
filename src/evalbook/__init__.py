"""evalbook: reproducible evaluation workbooks for county-level health authorities."""

__version__ = "0.1.0"
