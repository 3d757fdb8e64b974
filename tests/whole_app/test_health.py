"""The health check a load balancer or service manager asks: is this web process answering?"""

from __future__ import annotations

from tests.statements import recorded_statements


def test_health_check_answers_ok_to_anyone_without_asking_the_database(client):
    with recorded_statements() as statements:
        response = client.get("/health")

    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == "OK\n"
    assert statements == []


def test_health_check_takes_no_form_posts(client):
    assert client.post("/health").status_code == 405
