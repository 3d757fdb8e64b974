"""Pages of calendar_feed (being built)."""

from flask import Blueprint

bp = Blueprint("calendar_feed", __name__)
