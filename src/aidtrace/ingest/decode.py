"""Bytes to text, or a specific reason why not: empty, binary, too large, undecodable.

Every reader goes through here, so that one bad file gets the same reason whatever
format it was read as. Charset detection uses what trafilatura already ships
(``detect_encoding``, backed by charset_normalizer); a text that no charset decodes
cleanly is decoded with replacement characters and the ledger says so.
"""
from __future__ import annotations

import codecs
import re
from typing import BinaryIO

from trafilatura.utils import detect_encoding

from ..errors import BinaryInputError, EmptyInputError, EncodingError, TooLargeError

SNIFF_BYTES = 8192
MAX_REPLACED = 0.05  # share of undecodable characters above which a text is rejected
MAX_CONTROL = 0.02   # share of control characters above which a text is binary
GUESSES = 5          # charset detector guesses weighed against each other

BOMS = (  # UTF-32 before UTF-16: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
MAGIC = (
    (b"%PDF-", "PDF"), (b"\x89PNG", "PNG image"), (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"), (b"PK\x03\x04", "ZIP archive or office document"),
    (b"\x1f\x8b", "gzip data"), (b"\xd0\xcf\x11\xe0", "MS Office document"),
    (b"RIFF", "RIFF media"), (b"\x7fELF", "executable"),
)
CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")  # category Cc, less \t \n \v \f \r
META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)
XML_ENCODING = re.compile(rb"""<\?xml[^>]{0,100}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{1,40})""")


def read_capped(stream: BinaryIO, cap: int) -> bytes:
    """Read a whole stream, refusing (without reading on) anything over ``cap`` bytes."""
    data = stream.read(cap + 1)
    if len(data) > cap:
        raise TooLargeError(f"over the size cap of {cap} bytes")
    return data


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML ``<meta>`` or XML declaration names, if any."""
    head = data[:SNIFF_BYTES]
    match = META_CHARSET.search(head) or XML_ENCODING.search(head)
    return match.group(1).decode("ascii").lower() if match else None


def check_binary(data: bytes) -> None:
    """Reject data that is clearly not text, naming what it looks like."""
    for magic, kind in MAGIC:
        if data.startswith(magic):
            raise BinaryInputError(f"binary data ({kind})")
    head = data[:SNIFF_BYTES]
    if head.count(0) > MAX_CONTROL * len(head) and not any(data.startswith(b) for b, _ in BOMS):
        raise BinaryInputError(f"binary data ({head.count(0)} NUL bytes in the first {len(head)})")


def decode(data: bytes, *, declared: str | None = None, cap: int | None = None) -> tuple[str, str | None]:
    """Decode ``data``; return the text and a note for the ledger when it was not clean UTF-8.

    Raises EmptyInputError, BinaryInputError, TooLargeError or EncodingError.
    """
    if cap is not None and len(data) > cap:
        raise TooLargeError(f"over the size cap of {cap} bytes")
    if not data.strip():
        raise EmptyInputError("empty input")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise EncodingError(f"invalid {encoding} after a byte-order mark at byte {exc.start}") from exc
            return check_text(text), None if encoding == "utf-8-sig" else f"decoded as {encoding}"
    check_binary(data)
    try:
        return check_text(data.decode("utf-8")), None
    except UnicodeDecodeError as exc:
        bad = exc.start
    encoding = guess_charset(data, declared)
    if encoding is None:
        return check_replaced(data.decode("utf-8", errors="replace"), bad)
    note = f"not UTF-8 (invalid byte at {bad}); decoded as {encoding}"
    return check_text(data.decode(encoding)), note


def guess_charset(data: bytes, declared: str | None = None) -> str | None:
    """The charset of bytes that are not valid UTF-8, or None for damaged UTF-8 (or no fit).

    Mostly valid multi-byte UTF-8 with a few bad bytes is damaged UTF-8, not another
    charset: a legacy-charset text almost never forms valid UTF-8 sequences. Otherwise
    the declared charset if it decodes, else the detector's best guess.
    """
    replaced = data.decode("utf-8", errors="replace")
    damaged = replaced.count("\ufffd")
    if sum(1 for ch in replaced if ord(ch) > 127) - damaged > damaged:
        return None
    guesses = []
    for encoding in ([declared] if declared else []) + detect_encoding(data)[:GUESSES]:
        try:
            guesses.append((encoding, data.decode(encoding)))
        except (LookupError, UnicodeDecodeError):
            continue
        if encoding == declared:
            return declared
    return max(guesses, key=lambda guess: western_share(guess[1]))[0] if guesses else None


def check_replaced(text: str, bad: int) -> tuple[str, str]:
    share = text.count("\ufffd") / max(len(text), 1)
    if share > MAX_REPLACED:
        raise EncodingError(f"undecodable: invalid UTF-8 at byte {bad}, no charset fits "
                            f"({share:.0%} of characters)")
    return check_text(text), f"invalid UTF-8 at byte {bad}; undecodable bytes replaced"


def western_share(text: str) -> float:
    """Share of non-ASCII characters that are Latin-1 letters or typographic punctuation.

    Short texts fit several single-byte charsets equally well (cp1252, cp1250, cp1257 ...);
    aidtrace reads English news, whose non-ASCII characters are mostly curly quotes, dashes
    and Western accents, so the guess that yields those is the likely one. Hand-written:
    charset detectors rank by language models of the whole text, which here is English.
    """
    rest = [ch for ch in text if ord(ch) > 127]
    if not rest:
        return 1.0
    return sum(1 for ch in rest if 0xC0 <= ord(ch) <= 0xFF or 0x2010 <= ord(ch) <= 0x20AC) / len(rest)


def check_text(text: str) -> str:
    """Reject decoded text that is mostly control characters (binary read as a charset)."""
    sample = text[:SNIFF_BYTES]
    control = len(CONTROL.findall(sample))
    if sample and control / len(sample) > MAX_CONTROL:
        raise BinaryInputError(f"binary data ({control} control characters in the first {len(sample)})")
    if not text.strip():
        raise EmptyInputError("empty input")
    return text
