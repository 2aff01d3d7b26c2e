"""Excel templates for hospitals, the committee and experts, and ingesting them back into CSV."""
