"""A council's own Word template for its progress reports: reading, replacing and removing it.

At most one per council (`WordTemplate`). Every write flushes and never commits: the request
that uploads a template stores it in one transaction. Checking the file is
`word_template.check_template`, which reads it in a child process.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import undefer

from tracker.accounts.models import Role, User
from tracker.committees.models import Committee
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.inspections.imports import clean_filename
from tracker.reports import word_template
from tracker.reports.models import WordTemplate
from tracker.reports.word_template import ROLES, TemplateProblem
from tracker.reports.word_template import Role as PaperPart
from tracker.uploads.models import UploadKind, UploadReading
from tracker.uploads.service import queue_upload

logger = logging.getLogger(__name__)

UNREADABLE = ("This file could not be read as a Word template. Open it in Word, save it as a "
              "Word Template (.dotx), and upload that.")


def _check_administrator(actor: User, council_id: int) -> None:
    if actor.role is not Role.ADMIN or actor.council_id != council_id or not actor.active:
        raise RuleBroken("Only an administrator of the council can change its Word template")


def council_template(council_id: int) -> WordTemplate | None:
    """The council's own template (without its bytes), or None: the standard one is used."""
    return db.session.scalars(
        select(WordTemplate).where(WordTemplate.council_id == council_id)).first()


def council_template_file(council_id: int) -> WordTemplate | None:
    """The council's own template with its bytes, for a download."""
    return db.session.scalars(
        select(WordTemplate).where(WordTemplate.council_id == council_id)
        .options(undefer(WordTemplate.data))).first()


def template_for_committee(committee_id: int) -> bytes | None:
    """The bytes of the template the committee's council has chosen, or None for the
    standard one: what `render_docx` takes."""
    return db.session.scalars(
        select(WordTemplate.data).join(Committee, Committee.council_id == WordTemplate.council_id)
        .where(Committee.id == committee_id)).first()


def queue_template_upload(council_id: int, *, actor: User, now: datetime, data: bytes,
                          filename: str) -> UploadReading:
    """Keep an uploaded template to be checked by the scheduler (`save_council_template`,
    which makes it the council's), after the checks that need no reading: the person, an
    empty file, its size, a file that is plainly not a Word document.

    Raises `RuleBroken` on the `template` field for those; nothing is kept then."""
    _check_administrator(actor, council_id)
    try:
        word_template.check_before_reading(data, filename)
    except TemplateProblem as problem:
        raise RuleBroken(problem.message, field="template") from problem
    return queue_upload(UploadKind.WORD_TEMPLATE, council_id=council_id, actor=actor, now=now,
                        data=data, filename=clean_filename(filename))


def save_council_template(council_id: int, *, actor: User, now: datetime, data: bytes,
                          filename: str) -> WordTemplate:
    """Check an uploaded template and make it the council's, in place of any earlier one.

    A file that cannot be used is refused with `RuleBroken` on the `template` field, saying
    what to do; nothing is kept."""
    _check_administrator(actor, council_id)
    try:
        check = word_template.check_template(data, filename)
    except TemplateProblem as problem:
        raise RuleBroken(problem.message, field="template") from problem
    except Exception as error:
        # Uploaded files are untrusted: a library tripping over one is a message, not a 500.
        logger.exception("Checking the Word template %r failed", filename)
        raise RuleBroken(UNREADABLE, field="template") from error
    record = council_template(council_id)
    if record is None:
        record = WordTemplate(council_id=council_id)
        db.session.add(record)
    name = clean_filename(filename) or f"template.{check.kind}"
    record.filename = name
    record.kind = check.kind
    record.data = data
    record.size = len(data)
    record.sha256 = hashlib.sha256(data).hexdigest()
    record.styles = check.styles
    record.uploaded_by_id = actor.id
    record.uploaded_at = now
    db.session.flush()
    return record


def use_standard_template(council_id: int, *, actor: User) -> bool:
    """Go back to the standard template; False when the council was using it already."""
    _check_administrator(actor, council_id)
    record = council_template(council_id)
    if record is None:
        return False
    db.session.delete(record)
    db.session.flush()
    return True


@dataclass(frozen=True)
class StyleUse:
    """One part of the paper and the style it is written in."""

    part: PaperPart
    style: str | None  # the template's style, or None where the standard one is used

    @property
    def standard(self) -> str:
        return self.part.style


def style_uses(record: WordTemplate | None) -> list[StyleUse]:
    """For each part of the paper, the council template's style it uses (None: the
    standard template's, because the council's lacks it). All None without a template."""
    styles = record.styles if record is not None else {}
    return [StyleUse(part, styles.get(part.key)) for part in ROLES]


def missing_words(uses: list[StyleUse]) -> str:
    """The note of the parts a council's template has no style for, or "" when none:
    "The council's template has no style for item headings (Heading 2) or captions
    (Caption). The standard template's are used for them."."""
    missing = [f"{use.part.what} ({use.standard})" for use in uses if use.style is None]
    if not missing:
        return ""
    listed = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " or " + missing[-1]
    them = "style is used for it" if len(missing) == 1 else "styles are used for them"
    return (f"The council's template has no style for {listed}. The standard template's "
            f"{them}.")
