"""Promotion: staging to production through the Heroku pipeline, gated by verification, with rollback."""
