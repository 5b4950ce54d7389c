"""What every output for people shares: Swedish numbers and dates, Markdown escaping, data
shown literally (control characters made visible)."""
