from flask import Blueprint

bp = Blueprint("aanbieder", __name__)
