"""Assessment rates and scores over plain project records (DOMAIN.md §9)."""
