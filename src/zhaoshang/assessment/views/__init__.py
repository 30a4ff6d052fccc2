"""Assessment pages: the leaders' dashboards, rates, rankings and forecast (dashboards), and the settings
assessment reads (configuration)."""
