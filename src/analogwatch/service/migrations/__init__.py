"""Alembic migrations of the service schema, run programmatically on start (``store.db.migrate``)."""
