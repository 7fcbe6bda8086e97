"""The members of a model file: the zip archive read within limits, and the ``.npy`` arrays.

:func:`read_members` checks the end-of-central-directory record before
:mod:`zipfile` builds its member list, then every member's name, flags,
compression method, file type, declared size and compression ratio, and
reads each one refusing more bytes than it declares. :func:`read_npy` parses
an array's header and checks its dtype and that its shape times the item
size equals the bytes present before anything is allocated.
"""

from __future__ import annotations

import io
import math
import re
import stat
import zipfile
import zlib

import numpy as np

from textfeat.io._model_base import ARRAY_KINDS, Bad, ModelFileError, check_dtype

__all__ = ["MAX_MEMBERS", "npy_bytes", "read_members", "read_npy"]

#: Most members a model file may have.
MAX_MEMBERS = 10_000
_MAX_HEADER_BYTES = 4 * 1024**2
_RATIO_FLOOR = 1024**2
_CHUNK = 1024**2
_MEMBER_NAME = re.compile(r"arrays/a(0|[1-9][0-9]{0,8})\.npy")


def read_npy(blob: bytes) -> np.ndarray:
    """The array in ``blob``, checked against its own header before allocating.

    Examples
    --------
    >>> read_npy(npy_bytes(np.arange(3))).tolist()
    [0, 1, 2]
    >>> read_npy(npy_bytes(np.arange(3))[:-8])
    Traceback (most recent call last):
    ...
    textfeat.io._model_base.Bad: declares shape (3,) of int64 (24 bytes) but holds 16 bytes
    """
    fmt = np.lib.format
    f = io.BytesIO(blob)
    try:
        version = fmt.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(f)
        else:
            raise Bad(f"is .npy format version {version}, not 1.0 or 2.0")
    except (ValueError, SyntaxError, TypeError, EOFError) as exc:
        raise Bad(f"has an unreadable .npy header ({exc})") from None
    dtype = check_dtype(dtype, ARRAY_KINDS)
    if len(shape) > 32:
        raise Bad(f"declares {len(shape)} dimensions")
    count = math.prod(shape)
    offset = f.tell()
    if count * dtype.itemsize != len(blob) - offset:
        raise Bad(
            f"declares shape {shape} of {dtype} ({count * dtype.itemsize} bytes) "
            f"but holds {len(blob) - offset} bytes"
        )
    flat = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
    return flat.reshape(shape, order="F" if fortran else "C").copy(
        order="F" if fortran else "C"
    )


def npy_bytes(a: np.ndarray) -> bytes:
    """The ``.npy`` bytes of ``a`` (no pickle), as a model file stores it."""
    buf = io.BytesIO()
    np.lib.format.write_array(buf, a, allow_pickle=False)
    return buf.getvalue()


def _check_directory(data: bytes, where: str) -> None:
    """Refuse an end-of-central-directory record announcing too many members.

    zipfile builds an object per member before we can count them, so the
    announced count and directory size are checked first.
    """
    sig = b"PK\x05\x06"
    if len(data) >= 22 and data[-22:-18] == sig and data[-2:] == b"\0\0":
        pos = len(data) - 22
    else:
        pos = data.rfind(sig, max(0, len(data) - 65557))
    if pos < 0 or pos + 22 > len(data):
        return  # zipfile will call it not a zip archive
    n_members = int.from_bytes(data[pos + 10 : pos + 12], "little")
    size = int.from_bytes(data[pos + 12 : pos + 16], "little")
    if n_members > MAX_MEMBERS or size > MAX_MEMBERS * 1024:
        raise ModelFileError(
            f"{where}: the archive announces {n_members} members in a {size}-byte "
            f"directory (at most {MAX_MEMBERS}); the file was tampered with"
        )


def _read_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, where: str
) -> bytes:
    """A member's bytes, refusing more than ``limit`` whatever its header says."""
    out = bytearray()
    try:
        with zf.open(info) as f:
            while chunk := f.read(min(_CHUNK, limit + 1 - len(out))):
                out += chunk
                if len(out) > limit:
                    break
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        ValueError,
        RuntimeError,  # an encrypted member
        NotImplementedError,
    ) as exc:
        raise ModelFileError(f"{where}: {info.filename} is damaged ({exc})") from None

    if len(out) > limit or len(out) != info.file_size:
        raise ModelFileError(
            f"{where}: {info.filename} holds more or fewer bytes than its header "
            f"declares ({info.file_size}); the file was tampered with"
        )
    return bytes(out)


def read_members(data: bytes, where: str, max_bytes: int, max_ratio: float) -> dict[str, bytes]:
    """Check the archive's directory, then read its members within the limits."""
    _check_directory(data, where)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ModelFileError(
            f"{where}: not a textfeat model file (not a zip archive); save models "
            "with textfeat.persist.save"
        ) from exc
    with zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if "header.json" not in names or "model.json" not in names:
            raise ModelFileError(
                f"{where}: not a textfeat model file (no header.json/model.json); "
                "save models with textfeat.persist.save"
            )
        if len(infos) > MAX_MEMBERS:
            raise ModelFileError(f"{where}: {len(infos)} members (at most {MAX_MEMBERS})")
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ModelFileError(f"{where}: duplicate members {dup}; the file was tampered with")
        total = 0
        for info in infos:
            name = info.filename
            why = None
            if name not in ("header.json", "model.json") and not _MEMBER_NAME.fullmatch(name):
                why = "is not a name textfeat writes"
            elif info.flag_bits & 0x41:
                why = "is encrypted"
            elif info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                why = f"uses compression method {info.compress_type}"
            elif stat.S_IFMT(info.external_attr >> 16) not in (0, stat.S_IFREG):
                why = "is not a regular file (a link, folder or device)"
            elif name == "header.json" and info.file_size > _MAX_HEADER_BYTES:
                why = f"declares {info.file_size} bytes (at most {_MAX_HEADER_BYTES})"
            elif (
                info.file_size > _RATIO_FLOOR
                and info.file_size > max_ratio * max(info.compress_size, 1)
            ):
                why = (
                    f"inflates {info.compress_size} bytes to {info.file_size} "
                    f"(ratio above max_ratio={max_ratio})"
                )
            if why:
                raise ModelFileError(f"{where}: member {name!r} {why}; refused")
            total += info.file_size
        if total > max_bytes:
            raise ModelFileError(
                f"{where}: the members declare {total} bytes uncompressed, more than "
                f"max_bytes={max_bytes}; pass a larger max_bytes to load it"
            )
        blobs: dict[str, bytes] = {}
        budget = max_bytes
        for info in infos:
            limit = min(info.file_size, budget)
            if info.filename == "header.json":
                limit = min(limit, _MAX_HEADER_BYTES)
            blob = _read_member(zf, info, limit, where)
            budget -= len(blob)
            blobs[info.filename] = blob
    return blobs
