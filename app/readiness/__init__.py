"""Readiness: every gate passed before client work, release and stand-down."""
