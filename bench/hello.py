"""A bare Flask application with one endpoint: the ceiling that bench/load.py measures beside
the real pages (same gunicorn, same workers, same machine, same run)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hello"
