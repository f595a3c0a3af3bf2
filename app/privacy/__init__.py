"""A person's own data (subject access) and the retention schedule (policy/retention.toml) applied by
`flask retention sweep`."""
