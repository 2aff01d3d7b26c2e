"""Reading a year's input files: text tables, integrity, Great Expectations validation, the intake, synthetic cohorts."""
