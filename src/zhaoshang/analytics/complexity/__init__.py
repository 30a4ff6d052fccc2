"""Economic complexity and relatedness (DOMAIN.md §5): engine, panel and file forms, ecomplexity compatibility."""
