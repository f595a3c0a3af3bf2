"""Pages every role shares: home, health check, text size, error pages, and areas."""
