"""Committee progress reports in the style of the council's own paper.

`snapshot.build_snapshot` reads the database once and words the whole report as plain data
(`document.Snapshot`); `render_html`, `render_pdf` and `render_docx` lay that out; `service`
issues a version (storing the snapshot and the three files with their hashes) and reads issued
reports back; `views` and `cli` are thin wrappers around `service`.
"""
