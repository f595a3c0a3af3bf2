"""Training: the course catalogue, sessions, bookings and waitlists, calendars and attendance registers."""
