"""Accounts, roles, sign-up, sign-in, password reset."""
