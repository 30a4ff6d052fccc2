"""The industrial output forecast with its Monte Carlo band."""
