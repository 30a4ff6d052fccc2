"""Weekly tasks, blockers and dispatch reports declared for the generic pages (filled in by the delivery work)."""
