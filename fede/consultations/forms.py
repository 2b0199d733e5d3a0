"""Forms of the app: they parse and validate; services write."""
