"""The evaluation round: letters of queries to hospitals, submissions on record, publications as revisions,
what changed between two publications, and sign-off."""
