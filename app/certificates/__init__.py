"""Certificates: issued when a certifying course is completed, verified by anyone, revoked on record."""
