"""Administration: people and their roles, areas, and the audit log."""
