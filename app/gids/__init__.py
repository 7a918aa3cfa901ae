from flask import Blueprint

bp = Blueprint("gids", __name__)
