"""Investment targets of a weak chain node: industries, cities and enterprises."""
