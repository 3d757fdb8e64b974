"""The tracker's own Word template for progress reports: a plain council committee paper.

Arial throughout; "Title"; "Heading 1" and "Heading 2" numbered by Word as 1. and 1.1 (one
multilevel list, so a section's items restart at .1); "Caption"; "List Bullet"; "Table Grid"
with a shaded, bold header row that repeats on every page; a footer reading "Page X of Y"
(PAGE and NUMPAGES fields); A4 with 2.5 cm side margins.

The template is generated here and committed as `standard-template.docx` beside this file,
which is what the Word renderer opens and what administrators download as a starting point
for their own. Generated, so that a change to it is a reviewable change of this code and the
file can always be made again; committed, so that it can be downloaded and opened in Word as
it is. `tests/reports/test_word_template.py` fails when the committed file and this generator
differ. After changing this file, write the template again with:

    .venv/bin/python -m tracker.reports.standard_template
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

PATH = Path(__file__).with_name("standard-template.docx")

# The zip entries' date: fixed, so the same code always makes the same file.
_STAMP = (2026, 12, 1, 0, 0, 0)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml"

# Sizes in twentieths of a point (twips) and half-points, as Word stores them.
PAGE_WIDTH, PAGE_HEIGHT = 11906, 16838  # A4
SIDE_MARGIN, TOP_MARGIN = 1418, 1134  # 2.5 cm, 2 cm
TEXT_WIDTH = PAGE_WIDTH - 2 * SIDE_MARGIN  # 9070 twips, 16 cm
HANG = 720  # 1.27 cm: where the text of a numbered paragraph or item heading starts
INK = "0B0C0C"
RULE = "B1B4B6"
HEADER_FILL = "F3F2F1"
GREY = "505A5F"

CONTENT_TYPES = (
    _XML
    + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/word/document.xml" ContentType="{_MAIN}.document.main+xml"/>'
    f'<Override PartName="/word/styles.xml" ContentType="{_MAIN}.styles+xml"/>'
    f'<Override PartName="/word/numbering.xml" ContentType="{_MAIN}.numbering+xml"/>'
    f'<Override PartName="/word/settings.xml" ContentType="{_MAIN}.settings+xml"/>'
    f'<Override PartName="/word/header1.xml" ContentType="{_MAIN}.header+xml"/>'
    f'<Override PartName="/word/footer1.xml" ContentType="{_MAIN}.footer+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
    'package.core-properties+xml"/>'
    "</Types>"
)

ROOT_RELS = (
    _XML
    + f'<Relationships xmlns="{PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{_DOC_REL}/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
    'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    "</Relationships>"
)

DOCUMENT_RELS = (
    _XML
    + f'<Relationships xmlns="{PACKAGE_RELS}">'
    f'<Relationship Id="rId1" Type="{_DOC_REL}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId2" Type="{_DOC_REL}/numbering" Target="numbering.xml"/>'
    f'<Relationship Id="rId3" Type="{_DOC_REL}/settings" Target="settings.xml"/>'
    f'<Relationship Id="rId4" Type="{_DOC_REL}/header" Target="header1.xml"/>'
    f'<Relationship Id="rId5" Type="{_DOC_REL}/footer" Target="footer1.xml"/>'
    "</Relationships>"
)

CORE = (
    _XML
    + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>Committee paper</dc:title>"
    "<dc:creator>tracker</dc:creator>"
    "<dc:language>en-GB</dc:language>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">2026-12-01T00:00:00Z</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-12-01T00:00:00Z</dcterms:modified>'
    "</cp:coreProperties>"
)

_SECTION = (
    "<w:sectPr>"
    '<w:headerReference w:type="default" r:id="rId4"/>'
    '<w:footerReference w:type="default" r:id="rId5"/>'
    f'<w:pgSz w:w="{PAGE_WIDTH}" w:h="{PAGE_HEIGHT}"/>'
    f'<w:pgMar w:top="{TOP_MARGIN}" w:right="{SIDE_MARGIN}" w:bottom="{TOP_MARGIN}" '
    f'w:left="{SIDE_MARGIN}" w:header="567" w:footer="567" w:gutter="0"/>'
    '<w:cols w:space="720"/>'
    "</w:sectPr>"
)

DOCUMENT = (
    _XML
    + f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>'
    "<w:p/>" + _SECTION + "</w:body></w:document>"
)

HEADER = (
    _XML
    + f'<w:hdr xmlns:w="{W}" xmlns:r="{R}">'
    '<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr></w:p>'
    "</w:hdr>"
)


def _field(instruction: str) -> str:
    return (f'<w:fldSimple w:instr="{instruction}"><w:r><w:rPr><w:noProof/></w:rPr>'
            "<w:t>1</w:t></w:r></w:fldSimple>")


FOOTER = (
    _XML
    + f'<w:ftr xmlns:w="{W}" xmlns:r="{R}">'
    '<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>'
    '<w:r><w:tab/><w:t xml:space="preserve">Page </w:t></w:r>'
    + _field("PAGE")
    + '<w:r><w:t xml:space="preserve"> of </w:t></w:r>'
    + _field("NUMPAGES")
    + "</w:p></w:ftr>"
)

SETTINGS = (
    _XML
    + f'<w:settings xmlns:w="{W}" xmlns:r="{R}">'
    '<w:zoom w:percent="100"/>'
    '<w:defaultTabStop w:val="720"/>'
    '<w:characterSpacingControl w:val="doNotCompress"/>'
    "<w:compat>"
    '<w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/'
    'word" w:val="15"/>'
    "</w:compat>"
    '<w:themeFontLang w:val="en-GB"/>'
    '<w:decimalSymbol w:val="."/><w:listSeparator w:val=","/>'
    "</w:settings>"
)


def _font(size_half_points: int, *, bold: bool = False, colour: str = INK) -> str:
    return ("<w:rPr>" + ("<w:b/><w:bCs/>" if bold else "")
            + f'<w:color w:val="{colour}"/><w:sz w:val="{size_half_points}"/>'
            f'<w:szCs w:val="{size_half_points}"/></w:rPr>')


def _paragraph_style(style_id: str, name: str, p_pr: str, r_pr: str, *,
                     based_on: str | None = "Normal", next_style: str | None = None,
                     default: bool = False) -> str:
    return (
        f'<w:style w:type="paragraph" w:styleId="{style_id}"'
        + (' w:default="1"' if default else "") + ">"
        f'<w:name w:val="{name}"/>'
        + (f'<w:basedOn w:val="{based_on}"/>' if based_on else "")
        + (f'<w:next w:val="{next_style}"/>' if next_style else "")
        + "<w:qFormat/>"
        + f"<w:pPr>{p_pr}</w:pPr>" + r_pr + "</w:style>"
    )


def _table_border(side: str) -> str:
    return f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{RULE}"/>'


_BORDERS = "".join(_table_border(side) for side in
                   ("top", "left", "bottom", "right", "insideH", "insideV"))
_CELL_MARGINS = ('<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
                 '<w:bottom w:w="40" w:type="dxa"/><w:right w:w="85" w:type="dxa"/>'
                 "</w:tblCellMar>")

STYLES = (
    _XML
    + f'<w:styles xmlns:w="{W}" xmlns:r="{R}">'
    "<w:docDefaults><w:rPrDefault><w:rPr>"
    '<w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="Arial" w:cs="Arial"/>'
    f'<w:color w:val="{INK}"/><w:sz w:val="22"/><w:szCs w:val="22"/>'
    '<w:lang w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/>'
    "</w:rPr></w:rPrDefault>"
    '<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/>'
    "</w:pPr></w:pPrDefault></w:docDefaults>"
    + _paragraph_style("Normal", "Normal", "", "", based_on=None, default=True)
    + _paragraph_style(
        "Title", "Title",
        '<w:keepNext/><w:spacing w:before="120" w:after="120"/>',
        _font(36, bold=True), next_style="Normal")
    + _paragraph_style(
        "Heading1", "heading 1",
        '<w:keepNext/><w:keepLines/><w:numPr><w:numId w:val="1"/></w:numPr>'
        '<w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/>',
        _font(26, bold=True), next_style="Normal")
    + _paragraph_style(
        "Heading2", "heading 2",
        '<w:keepNext/><w:keepLines/><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/>'
        '</w:numPr><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="1"/>',
        _font(23, bold=True), next_style="Normal")
    + _paragraph_style(
        "Caption", "caption",
        '<w:keepNext/><w:spacing w:before="120" w:after="60"/>',
        _font(20, bold=True), next_style="Normal")
    + _paragraph_style(
        "ListBullet", "List Bullet",
        '<w:numPr><w:numId w:val="2"/></w:numPr><w:spacing w:after="60"/>'
        '<w:ind w:left="357" w:hanging="357"/>',
        "")
    + _paragraph_style(
        "Header", "header",
        f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>'
        '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="right"/>',
        _font(16, colour=GREY))
    + _paragraph_style(
        "Footer", "footer",
        f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>'
        '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>',
        _font(16, colour=GREY))
    + '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
    '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
    "</w:style>"
    '<w:style w:type="table" w:default="1" w:styleId="TableNormal">'
    '<w:name w:val="Normal Table"/><w:semiHidden/>'
    '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/>' + _CELL_MARGINS + "</w:tblPr></w:style>"
    '<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/>'
    '<w:basedOn w:val="TableNormal"/>'
    '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    '<w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>'
    f"<w:tblPr><w:tblBorders>{_BORDERS}</w:tblBorders>{_CELL_MARGINS}</w:tblPr>"
    '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr>'
    '<w:trPr><w:tblHeader/></w:trPr>'
    f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/></w:tcPr>'
    "</w:tblStylePr></w:style>"
    '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
    "<w:semiHidden/></w:style>"
    "</w:styles>"
)


def _level(level: int, text: str, *, style: str | None, suffix: str, indent: int,
           hanging: int) -> str:
    return (
        f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        + (f'<w:pStyle w:val="{style}"/>' if style else "")
        + (f'<w:suff w:val="{suffix}"/>' if suffix != "tab" else "")
        + f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{indent}" w:hanging="{hanging}"/></w:pPr></w:lvl>'
    )


NUMBERING = (
    _XML
    + f'<w:numbering xmlns:w="{W}" xmlns:r="{R}">'
    # The headings: "1. Why has this report come to the Committee?", then "1.1<tab>Item".
    '<w:abstractNum w:abstractNumId="0"><w:nsid w:val="5C0A1E01"/>'
    '<w:multiLevelType w:val="multilevel"/>'
    + _level(0, "%1.", style="Heading1", suffix="space", indent=0, hanging=0)
    + _level(1, "%1.%2", style="Heading2", suffix="tab", indent=HANG, hanging=HANG)
    + _level(2, "%1.%2.%3", style=None, suffix="tab", indent=HANG + 360, hanging=HANG + 360)
    + "</w:abstractNum>"
    # Bullets.
    '<w:abstractNum w:abstractNumId="1"><w:nsid w:val="5C0A1E02"/>'
    '<w:multiLevelType w:val="singleLevel"/>'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
    '<w:pStyle w:val="ListBullet"/><w:lvlText w:val="\u2022"/><w:lvlJc w:val="left"/>'
    '<w:pPr><w:ind w:left="357" w:hanging="357"/></w:pPr>'
    '<w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial"/></w:rPr></w:lvl>'
    "</w:abstractNum>"
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
    '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
    "</w:numbering>"
)

PARTS = {
    "[Content_Types].xml": CONTENT_TYPES,
    "_rels/.rels": ROOT_RELS,
    "docProps/core.xml": CORE,
    "word/document.xml": DOCUMENT,
    "word/_rels/document.xml.rels": DOCUMENT_RELS,
    "word/styles.xml": STYLES,
    "word/numbering.xml": NUMBERING,
    "word/settings.xml": SETTINGS,
    "word/header1.xml": HEADER,
    "word/footer1.xml": FOOTER,
}


def build() -> bytes:
    """The standard template's bytes: the same every time."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in PARTS.items():
            entry = zipfile.ZipInfo(name, date_time=_STAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            package.writestr(entry, text.encode("utf-8"))
    return out.getvalue()


if __name__ == "__main__":
    PATH.write_bytes(build())
    print(f"Wrote {PATH} ({PATH.stat().st_size:,} bytes)")
