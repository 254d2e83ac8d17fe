"""Errors raised when a plan document cannot be read.

Every error carries a one-line ``message`` in plain Vietnamese, written for the official who
uploaded the file: the CLI prints it on standard error and the web upload shows it as is.
"""

from __future__ import annotations


class DocumentError(Exception):
    """Base class: the document cannot be turned into a plan structure."""

    default_message = "Không đọc được văn bản."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class EmptyDocument(DocumentError):
    default_message = "Tệp không có nội dung văn bản (tệp rỗng hoặc chỉ có khoảng trắng)."


class UnsupportedFormat(DocumentError):
    default_message = (
        "Định dạng tệp chưa được hỗ trợ; hãy gửi tệp .docx, .pdf, .txt, .md hoặc ảnh chụp văn bản."
    )


class EncryptedDocument(DocumentError):
    default_message = "Tệp được đặt mật khẩu nên không mở được; hãy gỡ mật khẩu rồi tải lên lại."


class DocumentTooLarge(DocumentError):
    default_message = "Tệp lớn hơn 20 MB; hãy nén ảnh hoặc tách văn bản rồi tải lên lại."


class OcrUnavailable(DocumentError):
    default_message = (
        "Văn bản là bản scan (ảnh) nhưng máy chủ chưa cài phần mềm nhận dạng chữ Tesseract; "
        "hãy gửi bản Word hoặc PDF có lớp chữ."
    )


class SecretDocumentError(DocumentError):
    default_message = (
        "Văn bản có đóng dấu độ mật (Mật/Tối mật/Tuyệt mật) nên không được đưa lên hệ thống; "
        "hãy xử lý theo quy định bảo vệ bí mật nhà nước."
    )


class UnreadableDocument(DocumentError):
    default_message = "Tệp bị hỏng hoặc không phải văn bản đọc được (nội dung nhị phân)."
