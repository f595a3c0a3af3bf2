"""Storing receipts: photos re-encoded without their EXIF (location) data, under random names outside static/."""
import io
import secrets
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.errors import DomainError
from app.expenses import rules
from app.expenses.models import Receipt
from app.expenses.policy import policy
from app.extensions import db

MAX_PIXELS = 40_000_000  # a 40-megapixel photo; more is not a receipt, and would take too much memory to redraw
UNREADABLE = "The selected file could not be opened as a photo or a PDF: take the photo again, or choose another file"


class ReceiptError(DomainError):
    """A receipt that cannot be kept."""


def receipts_dir() -> Path:
    """RECEIPTS_DIR (default instance/receipts): never under static/, so nothing there is served directly."""
    folder = Path(current_app.config["RECEIPTS_DIR"])
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def clean_photo(data: bytes, mime: str) -> tuple[bytes, str]:
    """The photo drawn again without metadata (EXIF, GPS location, comments); HEIC becomes JPEG so anyone can open it."""
    if mime in ("image/heic", "image/heif"):
        from pillow_heif import register_heif_opener

        register_heif_opener()
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ReceiptError("The selected photo is too large: take it again at a lower resolution")
            image.load()
            upright = ImageOps.exif_transpose(image)  # keep the way up the camera meant, then drop the EXIF
            pixels = upright.convert("RGB") if upright.mode not in ("RGB", "L", "RGBA", "P") else upright
            out = io.BytesIO()
            if mime == "image/png":
                pixels.save(out, format="PNG")
                return out.getvalue(), "image/png"
            pixels.convert("RGB").save(out, format="JPEG", quality=90)
            return out.getvalue(), "image/jpeg"
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ReceiptError(UNREADABLE) from None


def store_receipt(owner, data: bytes) -> Receipt:
    """Check a receipt by its content, strip photos' metadata, and keep it under a random name."""
    problem = rules.receipt_problem(data[:8192], len(data), policy().receipt_max_bytes)
    if problem:
        raise ReceiptError(problem)
    mime = rules.sniff_receipt(data[:8192])
    if mime == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise ReceiptError(UNREADABLE)
    else:
        data, mime = clean_photo(data, mime)
    extension = rules.RECEIPT_TYPES[mime]
    name = f"{secrets.token_hex(20)}.{extension}"
    path = receipts_dir() / name
    path.write_bytes(data)
    db.session.info.setdefault("receipt_files", []).append(path)  # removed again if the transaction rolls back
    receipt = Receipt(owner_id=owner.id, stored_name=name, content_type=mime, extension=extension,
                      size_bytes=len(data))
    db.session.add(receipt)
    return receipt


def receipt_path(receipt: Receipt) -> Path:
    """Where a receipt's file is; its stored name is ours (random hex), never a name someone typed."""
    return receipts_dir() / Path(receipt.stored_name).name


@event.listens_for(Session, "after_commit")
def _keep_receipt_files(session):
    session.info.pop("receipt_files", None)


@event.listens_for(Session, "after_rollback")
def _remove_receipt_files(session):
    """A receipt whose claim line was never saved leaves no file behind."""
    for path in session.info.pop("receipt_files", []):
        path.unlink(missing_ok=True)
