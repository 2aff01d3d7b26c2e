"""The ground floor: errors, exact numbers, paths, column kinds, rubric files, ranking, safe file writes, the scheme registry."""
