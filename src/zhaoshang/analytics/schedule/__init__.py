"""Critical-path schedules over working-day calendars, and the default approval template."""
