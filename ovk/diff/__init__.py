"""`ovk diff`: comparing two years or two git revisions entity by entity, and the reports."""
