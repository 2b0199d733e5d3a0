"""QR codes drawn locally with ``qrcode`` (no external service)."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg


def qr_svg_data_uri(data: str) -> str:
    """An ``<img src>`` value: the QR code as an SVG data URI (the CSP allows ``data:``)."""
    image = qrcode.make(
        data, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2
    )
    svg = image.to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def qr_png(data: str) -> bytes:
    """The QR code as PNG bytes, to attach to an e-mail."""
    image = qrcode.make(data, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
