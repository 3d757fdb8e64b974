"""The web application's factory: settings, templates, extensions, blueprints, commands.

It lives here, not in the package's `__init__`, so that importing any part of the tracker
(as the bounded reader of uploads does in a fresh process) does not load Flask and the app.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, session
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from tracker import PROJECT_ROOT
from tracker.config import (
    Defaults,
    default_database_uri,
    load_or_create_secret_key,
    settings_from_environment,
)


def build_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the web application. Never runs migrations and never starts the scheduler."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("TRACKER_INSTANCE_PATH", str(PROJECT_ROOT / "instance")),
        instance_relative_config=True,
    )
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(settings_from_environment(os.environ))
    app.config.update(overrides or {})
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", default_database_uri(app.instance_path))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_or_create_secret_key(app.instance_path)
    from tracker.settings import install_settings

    # A setting that cannot work stops the start with what to set, not the first page or
    # email that needs it.
    settings = install_settings(app)
    from tracker.typesetting.fonts import font_files

    # Every PDF is set in Liberation Sans: a machine without it stops here, saying what to
    # install, not at the first report or evidence pack.
    font_files()

    _set_up_templates(app)
    _set_up_extensions(app)
    _register_blueprints(app)
    _register_commands(app)
    from tracker.web import register_request_handling

    register_request_handling(app)
    from tracker.static_assets import register_static_versions

    register_static_versions(app)
    proxies = settings.trusted_proxies
    if proxies:
        # The visitor's address (for the sign-in limits) from X-Forwarded-For, trusting only
        # the configured number of proxies in front.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    return app


def _set_up_templates(app: Flask) -> None:
    # Our templates at the top level, and the GOV.UK macros under their package names.
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def _set_up_extensions(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    # Importing the models registers them with the metadata that migrations compare against.
    import tracker.models  # noqa: F401
    from tracker.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    from tracker.items.facts import keep_item_facts

    # Each item's action facts are kept right by every flush that touches its actions.
    keep_item_facts(db.session)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    WTFormsHelpers(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str) -> Any:
        from tracker.accounts.sessions import SESSION_KEY, user_of_session

        # Signed in only while the session the cookie names has not been ended on the server.
        secret = session.get(SESSION_KEY)
        if not (user_id.isascii() and user_id.isdigit()) or len(user_id) > 9:
            return None
        if not isinstance(secret, str) or not secret:
            return None
        return user_of_session(int(user_id), secret)


class RowIdConverter(IntegerConverter):
    """`<int:…>` ids stop at the largest value a database integer column holds, so a longer
    number is an unknown page (404), not an overflow in the database driver."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = RowIdConverter
    from tracker.accounts.views import bp as accounts
    from tracker.api.views import bp as api
    from tracker.calendar_feed.views import bp as calendar_feed
    from tracker.committees.views import bp as committees
    from tracker.dashboard.views import bp as dashboard
    from tracker.data_protection.views import bp as data_protection
    from tracker.evidence.views import bp as evidence
    from tracker.inspections.views import bp as inspections
    from tracker.items.views import bp as items
    from tracker.partners.views import bp as partners
    from tracker.plan_import.views import bp as plan_import
    from tracker.questions.views import bp as questions
    from tracker.reminders.views import bp as reminders
    from tracker.reports import template_views  # noqa: F401 (its routes join `reports`)
    from tracker.reports.views import bp as reports
    from tracker.uploads.views import bp as uploads

    for blueprint in (accounts, dashboard, inspections, items, committees, reports, reminders,
                      plan_import, calendar_feed, api, evidence, partners, questions,
                      data_protection, uploads):
        app.register_blueprint(blueprint)


def _register_commands(app: Flask) -> None:
    from tracker.accounts.cli import create_user_command
    from tracker.backup import backup_command, restore_command
    from tracker.demo.bench import bench_data_command
    from tracker.demo.cli import demo_credentials_command, demo_data_command
    from tracker.inspections.cli import import_command
    from tracker.jobs.cli import scheduler_command
    from tracker.reminders.cli import check_public_url_command, reminders_command
    from tracker.reports.cli import report_command

    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(demo_credentials_command)
    app.cli.add_command(bench_data_command)
    app.cli.add_command(report_command)
    app.cli.add_command(import_command)
    app.cli.add_command(reminders_command)
    app.cli.add_command(check_public_url_command)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
