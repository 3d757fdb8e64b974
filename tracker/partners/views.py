"""Pages of partners (being built)."""

from flask import Blueprint

bp = Blueprint("partners", __name__)
