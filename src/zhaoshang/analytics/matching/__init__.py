"""Site matching: hard filters, weighted scores with reasons, and the optimal batch assignment."""
