"""The one way a form post is handled: text stripped once, limits from the validators, the
rules' refusals shown on the form with nothing written, and objects of another council 404."""

import pytest
from flask_login import login_user
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import Forbidden, NotFound
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from tests.factories import CouncilFactory, ItemFactory, UserFactory
from tracker.errors import EditConflict, RuleBroken
from tracker.extensions import db
from tracker.forms import (
    CharacterCount,
    LongSelectField,
    TrackerForm,
    page_status,
    rules_on_form,
    select_options,
)
from tracker.items import queries
from tracker.items.forms import ActionForm, UpdateActionForm
from tracker.items.models import Item
from tracker.web import load_or_404


class NoteForm(TrackerForm):
    class Meta:
        csrf = False

    name = StringField()
    note = TextAreaField(widget=CharacterCount(), validators=[Length(max=40)])
    password = PasswordField()


def _posted(app, **values) -> NoteForm:
    with app.test_request_context(method="POST", data=values):
        return NoteForm(formdata=MultiDict(values))


def test_what_people_type_is_kept_without_the_spaces_around_it(app):
    form = _posted(app, name="  Ann Smith \n", note="\tSee the audit.  ")

    assert form.name.data == "Ann Smith"
    assert form.note.data == "See the audit."


def test_a_password_is_kept_exactly_as_typed(app):
    assert _posted(app, password="  spaces count  ").password.data == "  spaces count  "


def test_a_character_count_shows_the_limit_its_validator_sets(app):
    with app.test_request_context():
        html = str(NoteForm().note())
    assert 'data-maxlength="40"' in html


@pytest.mark.parametrize(("form_class", "field", "limit"), [
    (ActionForm, "description", 1000),
    (UpdateActionForm, "commentary", 5000),
])
def test_the_pages_character_counts_keep_their_limits(app, form_class, field, limit):
    with app.test_request_context():
        html = str(getattr(form_class(), field)(params={"rows": 3}))
    assert f'data-maxlength="{limit}"' in html
    assert 'rows="3"' in html


def test_a_broken_rule_is_shown_by_its_field_and_nothing_is_written(app):
    item = ItemFactory(title="Children's views")
    form = _posted(app, name="x")
    ran_on = False
    with rules_on_form(form):
        item.title = "Changed by the refused save"
        db.session.flush()
        raise RuleBroken("Choose another name", field="name")
        ran_on = True  # never reached: the block ends at the refusal
    db.session.commit()  # even a commit afterwards cannot keep what the refused save wrote

    assert form.name.errors == ["Choose another name"]
    assert page_status(form) == 400
    assert ran_on is False
    db.session.expire_all()
    assert db.session.get(Item, item.id).title == "Children's views"


def test_a_rule_about_no_one_field_is_shown_at_the_top_of_the_form(app):
    form = _posted(app)
    with rules_on_form(form):
        raise RuleBroken("The import has already been confirmed")

    assert form.form_errors == ["The import has already been confirmed"]
    assert page_status(form) == 400


def test_a_refusal_may_answer_with_its_own_status(app):
    class TooMany(RuleBroken):
        status = 429

    form = _posted(app)
    with rules_on_form(form):
        raise TooMany("You have sent 20 updates today")

    assert page_status(form) == 429


def test_an_edit_conflict_is_kept_and_saving_again_replaces_theirs(app):
    item = ItemFactory()
    db.session.commit()
    with app.test_request_context(method="POST"):
        form = UpdateActionForm(formdata=MultiDict({"version": "1"}))
        with rules_on_form(form):
            raise EditConflict(item, "Bea Jones", None)

    assert form.conflict.changed_by == "Bea Jones"
    assert form.version.data == str(item.version)
    assert page_status(form) == 409


def test_a_save_the_rules_allow_runs_to_its_end(app):
    form = _posted(app, name="fine")
    with rules_on_form(form):
        saved = True

    assert saved
    assert page_status(form) == 200


def test_an_object_of_the_persons_council_is_found(app):
    item = ItemFactory()
    db.session.commit()
    with app.test_request_context():
        login_user(UserFactory(council=item.finding.inspection.council))
        assert load_or_404(queries.get_item, item.id) is item


def test_an_object_of_another_council_is_not_found(app):
    item = ItemFactory()
    db.session.commit()
    with app.test_request_context():
        login_user(UserFactory(council=CouncilFactory()))
        with pytest.raises(NotFound):
            load_or_404(queries.get_item, item.id)


def test_an_object_the_person_may_not_touch_is_forbidden_after_it_is_found(app):
    item = ItemFactory()
    db.session.commit()
    with app.test_request_context():
        login_user(UserFactory(council=item.finding.inspection.council))
        with pytest.raises(Forbidden):
            load_or_404(queries.get_item, item.id, may=lambda user, found: False)
        with pytest.raises(NotFound):  # 404 before 403
            load_or_404(queries.get_item, item.id + 1000, may=lambda user, found: False)


def test_an_area_can_answer_a_missing_object_with_its_own_page(app):
    with app.test_request_context():
        login_user(UserFactory())
        with pytest.raises(Exception) as raised:
            load_or_404(queries.get_item, 999_999, missing=lambda: ("Gone", 404))
    assert raised.value.response.status_code == 404
    assert raised.value.response.get_data(as_text=True) == "Gone"


def test_one_line_boxes_refuse_control_characters_but_text_areas_keep_line_breaks(app):
    from wtforms import StringField, TextAreaField

    from tracker.forms import TrackerForm

    class Form(TrackerForm):
        title = StringField("Title")
        notes = TextAreaField("Notes")

    with app.test_request_context(method="POST", data={
            "title": "  Line one\r\nline two ", "notes": "Line one\r\nline two"}):
        form = Form()
        assert not form.validate()
        assert form.title.errors == ["Title must be one line of text, without line breaks, "
                                     "tabs or other control characters"]
        assert form.notes.errors == []
    with app.test_request_context(method="POST", data={"title": "  Spaces around \n"}):
        form = Form()
        assert form.validate() and form.title.data == "Spaces around"


def test_a_long_selects_options_escape_names_and_mark_the_chosen_one(app):
    class Pick(TrackerForm):
        class Meta:
            csrf = False

        person = SelectField("Person")

    with app.test_request_context("/?person=2"):
        form = Pick(MultiDict({"person": "2"}))
        form.person.choices = [SelectChoice("", "Anyone"), SelectChoice("1", "<b>Sam</b>"),
                               SelectChoice("2", 'Jo "JJ" & co')]
        assert str(select_options(form.person)) == (
            '<option value="">Anyone</option>\n'
            '<option value="1">&lt;b&gt;Sam&lt;/b&gt;</option>\n'
            '<option value="2" selected>Jo &#34;JJ&#34; &amp; co</option>')


def test_a_long_selects_options_escape_each_name_even_one_holding_a_nul_or_markup(app):
    # The options are escaped in one call where they are plain text; a NUL (which that call
    # splits on) or a label already marked safe takes the slower way, with the same result.
    class Pick(TrackerForm):
        class Meta:
            csrf = False

        person = SelectField("Person")

    with app.test_request_context("/?person=1"):
        form = Pick(MultiDict({"person": "1"}))
        form.person.choices = [SelectChoice("1", "<b>Sam</b>\0"), SelectChoice("2", "Jo & co")]
        assert str(select_options(form.person)) == (
            '<option value="1" selected>&lt;b&gt;Sam&lt;/b&gt;\0</option>\n'
            '<option value="2">Jo &amp; co</option>')
        form.person.choices = [SelectChoice("1", Markup("<i>Sam</i>")),
                               SelectChoice("2", "<i>Jo</i>")]
        assert str(select_options(form.person)) == (
            '<option value="1" selected><i>Sam</i></option>\n'
            '<option value="2">&lt;i&gt;Jo&lt;/i&gt;</option>')


def test_a_long_select_takes_only_one_of_its_options_as_any_select_does(app):
    # LongSelectField checks the choice against a set of its values, not by walking them.
    class Pick(TrackerForm):
        class Meta:
            csrf = False

        person = LongSelectField("Person", validators=[Optional()])
        same = SelectField("Person", validators=[Optional()])

    choices = [SelectChoice("", "Anyone"), SelectChoice("1", "Sam"), SelectChoice("2", "Jo")]
    for asked, valid in (({"person": "2", "same": "2"}, True), ({}, True),
                         ({"person": "", "same": ""}, True),
                         ({"person": "3", "same": "3"}, False),
                         ({"person": "2 ", "same": "2 "}, False)):
        with app.test_request_context("/"):
            form = Pick(MultiDict(asked))
            form.person.choices = form.same.choices = choices
            assert form.validate() is valid, asked
            assert form.person.errors == form.same.errors
            if not valid:
                assert form.person.errors == ["Not a valid choice."]
