"""Storage: SQLAlchemy models, engines and migrations, and keyword-only CRUD functions."""
