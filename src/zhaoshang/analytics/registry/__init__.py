"""The national enterprise registry as Parquet: reading, importing vendors' extracts, merging, the synthetic one."""
