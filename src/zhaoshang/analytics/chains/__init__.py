"""Chain gap analysis and the drawing order of a chain's nodes."""
