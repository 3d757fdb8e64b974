"""Pages of plan_import (being built)."""

from flask import Blueprint

bp = Blueprint("plan_import", __name__)
