"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi ...`. Never starts a scheduler."""

from app import create_app

app = create_app()
