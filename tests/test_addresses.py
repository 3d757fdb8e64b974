"""The rows of a long list link to the same addresses as `url_for` makes, built once."""

from flask import url_for

from tracker.addresses import row_address


def test_each_rows_address_is_the_one_url_for_makes(app):
    with app.test_request_context("/items"):
        for endpoint, key, values in (("items.view_item", "item_id", {}),
                                      ("items.view_action", "action_id", {}),
                                      ("items.edit_item", "item_id", {}),
                                      ("items.view_item", "item_id", {"page": 2}),
                                      ("items.view_item", "item_id",
                                       {"page": 918273645, "_anchor": "history"})):
            address_of = row_address(endpoint, key, **values)
            for row_id in (1, 7, 42, 918273645, 2**31 - 1):
                assert address_of(row_id) == url_for(endpoint, **{key: row_id}, **values)


def test_a_row_address_keeps_the_prefix_the_app_is_served_under(app):
    with app.test_request_context("/items", base_url="https://example.test/tracker/"):
        address_of = row_address("items.view_action", "action_id")
        assert address_of(5) == "/tracker/actions/5" == url_for("items.view_action",
                                                               action_id=5)
