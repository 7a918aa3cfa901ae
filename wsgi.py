"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``. Never starts the scheduler."""

from app import create_app

app = create_app()
