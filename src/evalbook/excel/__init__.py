"""Excel templates for hospitals, the committee and experts, and ingesting them back into CSV.

A scheme describes its workbook once, as a ``Layout``; the same declaration writes the template and reads
it back. Everything about an input cell (its Excel data validation, its 说明 text, how its value turns
back into CSV text and which rule it breaks) comes from the ``Column`` declarations of
``evalbook.core.columns``, so the templates, the ingestion and the suites cannot disagree.

The modules, each importing only those above it in this list:

- ``cells``: one input cell's rule (``CellRule``), its value as CSV text and a CSV text as its value.
- ``data_validation``: what Excel checks and shows in an input cell (drop-down, ranges, 说明).
- ``layout``: ``Layout`` and its sheets (``Checklist``, ``Table``), ``Identity``, the owners.
- ``writing``: a template written (``build_workbook``) and saved atomically.
- ``problems``, ``zip_limits``: a workbook's problems by cell; size and zip-bomb checks before opening.
- ``sheet_reading``, ``info_area``: a layout's sheets read back; whose a workbook is (信息, 考评范围).
- ``submission``: a filled workbook read back (``read_workbook``, ``Submission``).
- ``folder``: a folder of filled workbooks (``read_submissions``: listed units, each once).
- ``merge``: the year's CSV rows after ingestion, and their text.
- ``scheme_io``: a scheme's templates module found, ``write_templates`` and ``ingest``.
"""
