"""Persistence: SQLAlchemy models, sessions and the transactions the service runs."""
