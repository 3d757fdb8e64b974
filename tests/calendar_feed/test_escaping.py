"""Whatever people type comes back out of a calendar exactly as they typed it."""

from __future__ import annotations

from datetime import date

from icalendar import Calendar

from tests.calendar_feed.conftest import events_of, feed_path, text, turn_on_feed, uid
from tests.factories import ActionFactory, CommitteeMeetingFactory, ItemFactory, UserFactory
from tracker.calendar_feed.service import one_line

HOSTILE = (
    "Audit; then report, quickly\r\n"
    "Second line\rthird line\n"
    "Backslash \\ and \\n typed, \"quotes\" and colons: here\n"
    "Emoji 🎉👩🏽‍⚕️ and accents: café, Ysbyty Gwynedd\n"
    "<script>alert('x')</script> &amp; <b>bold</b> <!-- comment -->\n"
    "Control\x0b\x1b\x7f characters\ttab"
)
# As a calendar shows it: line breaks as typed, control characters (other than tab) dropped.
HOSTILE_BACK = (
    "Audit; then report, quickly\n"
    "Second line\nthird line\n"
    "Backslash \\ and \\n typed, \"quotes\" and colons: here\n"
    "Emoji 🎉👩🏽‍⚕️ and accents: café, Ysbyty Gwynedd\n"
    "<script>alert('x')</script> &amp; <b>bold</b> <!-- comment -->\n"
    "Control characters\ttab"
)


def test_line_breaks_punctuation_emoji_and_html_come_back_as_written(client, council):
    action = ActionFactory(item__finding__inspection__council=council,
                           item__title="Voice; views, and wishes 🎈 <i>of</i> children",
                           description=HOSTILE, due_date=date(2026, 12, 1))
    meeting = CommitteeMeetingFactory(committee__council_id=council.id,
                                      committee__name="Scrutiny; Children, Young People 👪 <b>")
    secret = turn_on_feed(action.owner)

    response = client.get(feed_path(secret))
    found = events_of(Calendar.from_ical(response.data))

    event = found[uid("action", action.id)]
    description = text(event, "DESCRIPTION")
    assert description.startswith(f"Action: {HOSTILE_BACK}\n")
    assert "Item: Voice; views, and wishes 🎈 <i>of</i> children\n" in description
    assert text(event, "SUMMARY") == (
        "Due: Audit; then report, quickly Second line third line Backslash \\ and \\n typed, "
        "\"quotes\" and colons…")
    assert text(found[uid("meeting", meeting.id)], "SUMMARY") == (
        "Meeting: Scrutiny; Children, Young People 👪 <b>")
    # The bytes themselves: UTF-8 throughout (no character cut by folding), lines of at most
    # 75 octets, no control characters, and HTML left as text, not turned into entities.
    raw = response.data
    raw.decode("utf-8")
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert all(line.decode("utf-8") for line in lines if line)  # each folded piece whole
    assert not [byte for byte in raw if byte < 0x20 and byte not in b"\r\n\t"]
    assert b"\x7f" not in raw
    assert b"&lt;" not in raw and b"<script>" in raw.replace(b"\r\n ", b"")


def test_a_very_long_word_is_cut_in_the_summary_and_kept_whole_in_the_description(
    client, council
):
    word = "Safeguarding" * 60  # 720 letters with no space to fold at
    owner = UserFactory(council=council)
    action = ActionFactory(item=ItemFactory(finding__inspection__council=council),
                           owner=owner, description=f"Check {word} today")
    secret = turn_on_feed(owner)

    response = client.get(feed_path(secret))
    event = events_of(Calendar.from_ical(response.data))[uid("action", action.id)]

    summary = text(event, "SUMMARY")
    assert summary == "Due: " + f"Check {word}"[:99] + "…"
    assert f"Action: Check {word} today\n" in text(event, "DESCRIPTION")
    assert all(len(line) <= 75 for line in response.data.split(b"\r\n"))


def test_a_short_text_is_left_whole_and_a_long_one_cut_at_a_word():
    assert one_line("  Audit\n case   files ") == "Audit case files"
    assert one_line("word " * 30, length=22) == "word word word word…"
    assert one_line("a" * 30, length=10) == "a" * 9 + "…"
    assert one_line("Audit, then report; now: done", length=20) == "Audit, then report…"
