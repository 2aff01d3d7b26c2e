"""``evalbook verify``: what a published year holds and whether each file is still what the code makes."""
