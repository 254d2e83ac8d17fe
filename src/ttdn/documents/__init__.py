"""Document generation for reports: administrative DOCX (Decree 30/2020/NĐ-CP), XLSX annexes,
charts and PDF conversion.

This is a plain Python package, not a Django app: nothing here imports Django, so it can be
used from tasks, the CLI and tests without settings. Submodules:

- :mod:`ttdn.documents.model` — the document model (``AdminDocument`` and its blocks);
- :mod:`ttdn.documents.docx` — ``render_docx`` lays a document out per Decree 30, Appendix I;
- :mod:`ttdn.documents.xlsx` — ``render_xlsx_annex`` for "Phụ lục số liệu" workbooks;
- :mod:`ttdn.documents.charts` — small PNG bar and line charts (matplotlib, Agg);
- :mod:`ttdn.documents.convert` — ``to_pdf`` through headless LibreOffice.

Heavy dependencies (matplotlib, LibreOffice) are only touched when the function needing them
is called.
"""

from ttdn.documents.model import (
    AdminDocument,
    Block,
    Bullet,
    Chart,
    Heading,
    Paragraph,
    Table,
)

__all__ = ["AdminDocument", "Block", "Bullet", "Chart", "Heading", "Paragraph", "Table"]
