"""DOCX → PDF conversion through headless LibreOffice.

Each call runs ``soffice --headless --convert-to pdf`` in its own temporary directory with a
private user profile (``-env:UserInstallation``), so concurrent conversions neither share nor
lock a profile and nothing is left behind. On Debian the Writer component is the
``libreoffice-writer-nogui`` package (or ``libreoffice-writer``); Times New Roman is
substituted by the metric-compatible Liberation Serif (``fonts-liberation2``, which, unlike
``fonts-liberation`` 1.x, covers Vietnamese).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["ConversionError", "LibreOfficeNotFound", "find_libreoffice", "to_pdf"]

DEFAULT_TIMEOUT_S = 120.0


class ConversionError(RuntimeError):
    """LibreOffice ran but produced no PDF (bad input, crash or timeout)."""


class LibreOfficeNotFound(ConversionError):
    """No LibreOffice executable on PATH (or in ``TTDN_SOFFICE``)."""


def find_libreoffice() -> str | None:
    """Path of the LibreOffice executable: ``$TTDN_SOFFICE``, else ``libreoffice`` or
    ``soffice`` on PATH."""
    explicit = os.environ.get("TTDN_SOFFICE")
    if explicit:
        return explicit if Path(explicit).is_file() else shutil.which(explicit)
    return shutil.which("libreoffice") or shutil.which("soffice")


def to_pdf(docx_bytes: bytes, *, timeout: float = DEFAULT_TIMEOUT_S) -> bytes:
    """Convert a DOCX file (as bytes) to PDF bytes with headless LibreOffice."""
    exe = find_libreoffice()
    if exe is None:
        raise LibreOfficeNotFound(
            "LibreOffice is not installed: PDF conversion needs the 'libreoffice' (or "
            "'soffice') command. On Debian/Ubuntu: apt-get install --no-install-recommends "
            "libreoffice-writer-nogui fonts-liberation2"
        )
    with tempfile.TemporaryDirectory(prefix="ttdn-lo-") as tmp:
        work = Path(tmp)
        src = work / "document.docx"
        src.write_bytes(docx_bytes)
        profile = (work / "profile").as_uri()
        cmd = [
            exe,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work),
            str(src),
        ]
        env = {**os.environ, "HOME": str(work), "SAL_USE_VCLPLUGIN": "svp"}
        try:
            proc = subprocess.run(
                cmd, capture_output=True, timeout=timeout, env=env, check=False, cwd=work
            )
        except subprocess.TimeoutExpired as exc:
            raise ConversionError(f"LibreOffice did not finish within {timeout:.0f} s") from exc
        except OSError as exc:
            raise LibreOfficeNotFound(f"cannot run LibreOffice ({exe}): {exc}") from exc
        pdf = work / "document.pdf"
        if proc.returncode != 0 or not pdf.is_file():
            detail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()[-2000:]
            raise ConversionError(
                f"LibreOffice failed to convert the document (exit {proc.returncode}): {detail}"
            )
        return pdf.read_bytes()
