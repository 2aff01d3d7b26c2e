"""The command line: subcommands, bilingual help and usage errors."""
