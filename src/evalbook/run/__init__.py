"""A year's run: the batch, archived inputs, --resume and --only, progress, every scheme-year at once."""
