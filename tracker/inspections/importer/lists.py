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
- bullets nested in a numbered item (or indented under a bullet) belong to that item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker.inspections.importer.headings import category_of
from tracker.inspections.importer.text import Block, collapse, is_terminated

# Closing formulas of letters and summaries: the end of any list.
_END_RE = re.compile(
    r"(?:yours (?:sincerely|faithfully)|kind regards|the full (?:inspection )?report"
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


@dataclass
class ListItem:
    """A finding as read: its category, text pieces, group and the blocks it came from."""

    category: str
    pieces: list[str]
    group: str = ""
    indent: int = 0
    blocks: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The finding's text: its pieces joined with single spaces."""
        return collapse(" ".join(self.pieces))

    def add(self, index: int, text: str) -> None:
        """Append the rest of the item (a continuation or a nested bullet)."""
        self.pieces.append(text)
        self.blocks.append(index)


def find_lists(blocks: list[Block]) -> list[ListItem]:
    """Every finding under a finding heading, in document order."""
    items: list[ListItem] = []
    index = 0
    while index < len(blocks):
        category = category_of(blocks[index])
        if category is None:
            index += 1
            continue
        found, index = _read_list(blocks, index + 1, category)
        items += found
    return items


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


def _read_list(blocks: list[Block], start: int, category: str) -> tuple[list[ListItem], int]:
    items: list[ListItem] = []
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
        if category_of(block) is not None or is_end(block):
            break
        label = group_label(block)
        if label is not None:
            group = label
            index += 1
            continue
        if block.kind == "heading" or (
            not items and block.kind == "para" and _NONE_RE.match(block.text)
        ):
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
                    items.append(ListItem(category, [block.text], group, block.indent, [index]))
            else:
                break
        elif mode == "" and _introduces_list(blocks, index):
            pass  # an introductory sentence ("… should take the following action.")
        elif block.kind == "numbered" and mode in ("", "numbered"):
            mode = "numbered"
            items.append(ListItem(category, [block.text], group, block.indent, [index]))
        elif block.kind == "para" and mode in ("", "para"):
            mode = "para"
            items.append(ListItem(category, [block.text], group, block.indent, [index]))
        else:
            break
        index += 1
    return items, index


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
