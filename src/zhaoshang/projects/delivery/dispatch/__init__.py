"""Half-monthly dispatch (半月调度): the frozen numbers, their sections, the service and the Word file."""
