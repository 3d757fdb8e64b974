"""Configuration: defaults, then instance/config.py, then TRACKER_* environment variables."""

from __future__ import annotations

import os
import stat

import pytest

from tracker import create_app
from tracker.config import settings_from_environment


@pytest.fixture(autouse=True)
def clean_environment(tmp_path, monkeypatch):
    """Only what a test sets: nothing from the shell that runs the suite."""
    for name in list(os.environ):
        if name.startswith("TRACKER_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path / "instance"))
    return tmp_path / "instance"


def make_app(**overrides):
    return create_app({"TESTING": True, **overrides})


def test_a_tracker_variable_overrides_a_setting_as_a_number(monkeypatch):
    monkeypatch.setenv("TRACKER_STALE_AFTER_DAYS", "45")
    app = make_app()
    assert app.config["STALE_AFTER_DAYS"] == 45


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("True", True), ("yes", True), ("false", False), ("off", False),
     ("45", 45), ("1.5", 1.5), ("['a', 'b']", ["a", "b"]),
     ("Northshire County Council", "Northshire County Council"),
     ("sqlite:///tracker.sqlite", "sqlite:///tracker.sqlite")],
)
def test_tracker_variables_are_read_as_the_type_they_look_like(raw, expected):
    assert settings_from_environment({"TRACKER_SETTING": raw}) == {"SETTING": expected}


def test_a_true_or_false_variable_becomes_a_boolean_setting(monkeypatch):
    monkeypatch.setenv("TRACKER_SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("TRACKER_SESSION_COOKIE_HTTPONLY", "false")
    app = make_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is False


def test_variables_without_the_prefix_are_ignored():
    assert settings_from_environment({"STALE_AFTER_DAYS": "45", "TRACKER_": "x"}) == {}


def test_database_url_is_accepted_as_the_usual_alias(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'hosted.sqlite'}")
    app = make_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'hosted.sqlite'}"


@pytest.mark.parametrize(
    "url",
    ["postgres://tracker:secret@db.example:5432/tracker",
     "postgresql://tracker:secret@db.example:5432/tracker"],
)
def test_a_hosting_platforms_postgres_url_gets_the_psycopg_driver(url):
    expected = "postgresql+psycopg://tracker:secret@db.example:5432/tracker"
    assert settings_from_environment({"DATABASE_URL": url}) == {
        "SQLALCHEMY_DATABASE_URI": expected
    }
    assert settings_from_environment({"TRACKER_SQLALCHEMY_DATABASE_URI": url}) == {
        "SQLALCHEMY_DATABASE_URI": expected
    }


def test_an_explicit_driver_in_the_database_url_is_kept():
    url = "postgresql+psycopg2://tracker@db.example/tracker"
    assert settings_from_environment({"DATABASE_URL": url}) == {"SQLALCHEMY_DATABASE_URI": url}


def test_the_tracker_database_setting_wins_over_the_alias():
    found = settings_from_environment({
        "DATABASE_URL": "postgres://platform@db.example/tracker",
        "TRACKER_SQLALCHEMY_DATABASE_URI": "sqlite:///chosen.sqlite",
    })
    assert found == {"SQLALCHEMY_DATABASE_URI": "sqlite:///chosen.sqlite"}


def test_the_default_database_is_a_sqlite_file_in_the_instance_folder(clean_environment):
    app = make_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{clean_environment / 'tracker.sqlite'}"
    )


def test_the_instance_config_file_is_read(clean_environment):
    clean_environment.mkdir(parents=True)
    (clean_environment / "config.py").write_text(
        'COUNCIL_NAME = "Westshire Borough Council"\nSTALE_AFTER_DAYS = 21\n'
    )
    app = make_app()
    assert app.config["COUNCIL_NAME"] == "Westshire Borough Council"
    assert app.config["STALE_AFTER_DAYS"] == 21


def test_an_environment_variable_wins_over_the_instance_config_file(
    clean_environment, monkeypatch
):
    clean_environment.mkdir(parents=True)
    (clean_environment / "config.py").write_text("STALE_AFTER_DAYS = 21\n")
    monkeypatch.setenv("TRACKER_STALE_AFTER_DAYS", "45")
    assert make_app().config["STALE_AFTER_DAYS"] == 45


def test_a_secret_key_is_generated_once_into_the_instance_folder_and_reused(clean_environment):
    first = make_app().config["SECRET_KEY"]
    key_file = clean_environment / "secret_key"
    assert key_file.read_text().strip() == first
    assert len(first) >= 32
    # Only the owner may read it: it signs every session cookie.
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert make_app().config["SECRET_KEY"] == first


def test_a_secret_key_from_the_environment_is_used_and_none_is_written(
    clean_environment, monkeypatch
):
    monkeypatch.setenv("TRACKER_SECRET_KEY", "set-by-the-platform")
    assert make_app().config["SECRET_KEY"] == "set-by-the-platform"
    assert not (clean_environment / "secret_key").exists()


def test_a_secret_key_of_digits_from_the_environment_stays_text(monkeypatch):
    monkeypatch.setenv("TRACKER_SECRET_KEY", "20260901123456789012")
    app = make_app()
    assert app.config["SECRET_KEY"] == "20260901123456789012"
    with app.test_request_context():
        from flask import session

        session["check"] = "signed"
        app.session_interface.get_signing_serializer(app).dumps(dict(session))


def test_the_app_will_not_start_with_a_notify_backend_missing_its_key(monkeypatch):
    monkeypatch.setenv("TRACKER_MAIL_BACKEND", "notify")
    with pytest.raises(ValueError, match="set NOTIFY_API_KEY"):
        make_app()
