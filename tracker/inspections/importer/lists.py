"""The findings under each finding heading: bullets, numbered paragraphs or paragraphs.

A list starts after a block that `headings.category_of` recognises and runs until the next
heading, a closing formula ("Yours sincerely", "Any areas for development identified above
…"), or the first ordinary paragraph after its items. Within it:

- the items are bullets if it has any, otherwise numbered paragraphs, otherwise paragraphs
  (a children's summary); an introductory sentence before the first item is not an item,
  nor is a statement that there are none ("There are no priority actions …");
- a short label ending with a colon ("Immediately:", "Within three months:") names the
  group of the items after it;
- a paragraph that starts in lower case after an item that does not end a sentence is the
  rest of that item, cut by a page break or a table's end, and is joined with one space;
  so is a plain line straight under a bullet or numbered item (text wrapped at the end of
  each line, as copied from a PDF viewer);
- bullets nested in a numbered item (or indented under a bullet) belong to that item;
- a plain thematic sub-heading between numbered items ("Management capacity and
  oversight", a short line without a closing full stop, followed by the next paragraph
  number) names the group of the items after it and does not end the list;
- a paragraph that says the findings are those of an earlier inspection ("The areas for
  improvement continue to be those identified at the inspection in …") is no finding: it is
  kept as a note and ends the list.

Each finding also keeps the body it is addressed to: the local authority, or (in the SIF
reports that review it beside the council) the Local Safeguarding Children Board, known from
the last heading before the list that names one of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.inspections.importer.headings import category_of
from tracker.inspections.importer.text import Block, collapse, is_terminated

LOCAL_AUTHORITY = "local_authority"
LSCB = "lscb"

# Closing formulas of letters and summaries: the end of any list.
_END_RE = re.compile(
    r"(?:yours? (?:sincerely|faithfully)|kind regards|the full (?:inspection )?report"
    r"|if you (?:would like|have any)|ofsted will take|any areas? for"
    r"|the areas? for [^.]{0,40}identified above|we have notified|in addition, the findings"
    r"|copy:|cc:)",
    re.IGNORECASE,
)
_NONE_RE = re.compile(
    r"(?:there (?:are|were|is|was) no\b|no (?:areas?|priority actions?|recommendations?)\b"
    r"|none\.?$)",
    re.IGNORECASE,
)
_MAX_LABEL_WORDS = 6
# A thematic sub-heading: a short line, capitalised, that does not end a sentence.
_MAX_SUBHEADING_WORDS = 10
# A paragraph that points back to the findings of an earlier inspection or visit.
_REFERS_BACK_RE = re.compile(
    r"\b(?:identified|set|raised|made|given|found)\s+(?:at|during|following|after|in)\s+"
    r"(?:the|our|that)\s+(?:[\w-]+\s+){0,3}?(?:inspection|visit)\b",
    re.IGNORECASE,
)
_STILL_RE = re.compile(
    r"\b(?:remains?|continues?\s+to\s+(?:be|apply)|still\s+apply|are\s+unchanged)\b",
    re.IGNORECASE,
)
_LSCB_RE = re.compile(
    r"\blscbs?\b|local\s+safeguarding\s+children\s+board|\bsafeguarding\s+partners\b"
    r"|^(?:the\s+)?board'?s?\b",
    re.IGNORECASE,
)
_LOCAL_AUTHORITY_RE = re.compile(r"\blocal\s+authority\b|\bcouncil\b", re.IGNORECASE)
_PAGE_REFERENCE_RE = re.compile(r"\s\d{1,3}$")  # a contents line: "The LSCB 37"
_MAX_BODY_HEADING_WORDS = 14


@dataclass
class ListItem:
    """A finding as read: its category, text pieces, group and the blocks it came from."""

    category: str
    pieces: list[str]
    group: str = ""
    indent: int = 0
    blocks: list[int] = field(default_factory=list)
    body: str = LOCAL_AUTHORITY
    number: str = ""  # the paragraph number it is printed with ("7"), if any

    @property
    def text(self) -> str:
        """The finding's text: its pieces joined with single spaces."""
        return collapse(" ".join(self.pieces))

    def add(self, index: int, text: str) -> None:
        """Append the rest of the item (a continuation or a nested bullet)."""
        self.pieces.append(text)
        self.blocks.append(index)


@dataclass
class ListRead:
    """What one finding heading gave: how many items, and why none when it gave none.

    `outcome` is "items", "none" (the document says there are none), "refers_back" (it
    points back to an earlier inspection's findings), "parent" (another finding heading
    follows at once: "What does the local authority need to improve?" over "Priority and
    immediate action") or "empty" (nothing was read under it)."""

    heading: int  # the heading's block
    category: str
    outcome: str
    items: list[ListItem] = field(default_factory=list)
    body: str = LOCAL_AUTHORITY


@dataclass
class Lists:
    """Every list of findings of a document, and the notes that point back."""

    reads: list[ListRead] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def items(self) -> list[ListItem]:
        """Every finding, in document order."""
        return [item for read in self.reads for item in read.items]


def find_lists(blocks: list[Block]) -> Lists:
    """Every finding under a finding heading, in document order, with its body."""
    found = Lists()
    body = LOCAL_AUTHORITY
    index = 0
    while index < len(blocks):
        body = _body_named(blocks[index]) or body
        category = category_of(blocks[index])
        if category is None:
            index += 1
            continue
        read, index = _read_list(blocks, index + 1, category, found.notes)
        read.body = body
        for item in read.items:
            item.body = body
        found.reads.append(read)
    return found


def _body_named(block: Block) -> str | None:
    """The body a heading names ("The LSCB requires improvement because:", "What does the
    local authority need to improve?"), or None: a contents line ("The LSCB 37"), a
    paragraph or a bullet names none."""
    text = block.text.replace("’", "'")
    if block.kind != "heading" and category_of(block) is None:
        return None
    if len(text.split()) > _MAX_BODY_HEADING_WORDS or _PAGE_REFERENCE_RE.search(text):
        return None
    if _LSCB_RE.search(text):
        return LSCB
    if _LOCAL_AUTHORITY_RE.search(text):
        return LOCAL_AUTHORITY
    return None


def group_label(block: Block) -> str | None:
    """ "Within three months" for a block "Within three months:", else None."""
    text = block.text
    if (
        block.kind in ("heading", "para")
        and text.endswith(":")
        and len(text.split()) <= _MAX_LABEL_WORDS
        and category_of(block) is None
    ):
        return text.rstrip(":").strip()
    return None


def is_end(block: Block) -> bool:
    """Whether a block is a closing formula that ends any list."""
    return bool(_END_RE.match(block.text))


def _read_list(
    blocks: list[Block], start: int, category: str, notes: list[str]
) -> tuple[ListRead, int]:
    read = ListRead(start - 1, category, "empty")
    items = read.items
    mode = ""  # "bullet", "numbered" or "para" once the first item is read
    group = ""
    index = start
    while index < len(blocks):
        block = blocks[index]
        # Only a block right after the item's last piece can continue the item.
        last = items[-1] if items and items[-1].blocks[-1] == index - 1 else None
        if last and _continues(last, block):
            last.add(index, block.text)
            index += 1
            continue
        if category_of(block) is not None:
            if not items and index == start:
                read.outcome = "parent"
            break
        if is_end(block):
            break
        label = group_label(block)
        if label is not None:
            group = label
            index += 1
            continue
        if _is_subheading(blocks, index, mode, items):
            group = block.text
            index += 1
            continue
        if not items and block.kind == "para" and _refers_back(block.text):
            notes.append(block.text)
            read.outcome = "refers_back"
            index += 1
            break
        if block.kind == "heading" or (
            not items and block.kind == "para" and _NONE_RE.match(block.text)
        ):
            if block.kind == "para":
                read.outcome = "none"
            break
        if (
            last
            and mode in ("bullet", "numbered")
            and block.kind == "para"
            and not block.blank_before
        ):
            # A line straight under an item, with no blank line between: the item's text
            # wrapped onto the next line, as in text copied from a PDF viewer.
            last.add(index, block.text)
            index += 1
            continue
        if block.kind == "bullet":
            if mode == "numbered" and last:
                last.add(index, block.text)  # a bullet nested in a numbered item
            elif mode == "numbered":
                break
            elif mode in ("", "bullet"):
                if last and mode == "bullet" and block.indent > last.indent:
                    last.add(index, block.text)  # a bullet indented under the last one
                else:
                    mode = "bullet"
                    items.append(_item(category, block, group, index))
            else:
                break
        elif mode == "" and _introduces_list(blocks, index):
            pass  # an introductory sentence ("… should take the following action.")
        elif block.kind == "numbered" and mode in ("", "numbered"):
            mode = "numbered"
            items.append(_item(category, block, group, index))
        elif block.kind == "para" and mode in ("", "para"):
            mode = "para"
            items.append(_item(category, block, group, index))
        else:
            break
        index += 1
    if items:
        read.outcome = "items"
    return read, index


def _item(category: str, block: Block, group: str, index: int) -> ListItem:
    item = ListItem(category, [block.text], group, block.indent, [index])
    item.number = block.number
    return item


def _is_subheading(blocks: list[Block], index: int, mode: str, items: list[ListItem]) -> bool:
    """A plain thematic sub-heading between numbered items ("Care leavers"): a short
    capitalised line, not a sentence, followed at once by the next paragraph number (or by
    the first numbered item). In a bulleted list such a line ("Findings") starts another
    section, as bullets carry no number to show the list goes on."""
    block = blocks[index]
    text = block.text
    if (
        block.kind != "para"
        or mode not in ("", "numbered")
        or not text[:1].isupper()
        or len(text.split()) > _MAX_SUBHEADING_WORDS
        or is_terminated(text)
        or index + 1 >= len(blocks)
    ):
        return False
    following = blocks[index + 1]
    if following.kind != "numbered":
        return False
    return mode == "" or _follows(items[-1].number, following.number)


def _follows(number: str, following: str) -> bool:
    """Whether paragraph number `following` comes straight after `number` ("7", "8")."""
    return number.isdigit() and following.isdigit() and int(following) == int(number) + 1


def _refers_back(text: str) -> bool:
    """Whether a paragraph says the findings are still those of an earlier inspection."""
    return bool(_REFERS_BACK_RE.search(text) and _STILL_RE.search(text))


def _continues(item: ListItem, block: Block) -> bool:
    """A lower-case paragraph after an unfinished item is the rest of that item."""
    return block.kind == "para" and block.text[:1].islower() and not is_terminated(item.pieces[-1])


def _introduces_list(blocks: list[Block], index: int) -> bool:
    """Whether the items of the list come after this block (labels aside).

    A numbered paragraph followed by bullets introduces them ("20. … should take the
    following action." then "Immediately:" and bullets), unless another numbered paragraph
    follows those bullets: then the paragraphs are the items and the bullets a sub-list of
    the first ("7. Improve …, by:" then bullets, then "8. …")."""
    kind = blocks[index].kind
    following = (blocks[i] for i in range(index + 1, len(blocks)) if group_label(blocks[i]) is None)
    first = next(following, None)
    if first is None:
        return False
    if kind == "para":
        return first.kind in ("bullet", "numbered")
    if first.kind != "bullet":
        return False
    for block in following:
        if block.kind == "numbered":
            return False
        # Past the bullets and the rest of a bullet cut by a page break, nothing follows.
        if not (block.kind == "bullet" or (block.kind == "para" and block.text[:1].islower())):
            break
    return True
