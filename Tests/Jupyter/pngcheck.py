"""A PNG decoder small enough to read here (zlib and NumPy only), for checking
that a figure the kernel sent is a picture and not a blank page."""
import struct
import zlib

import numpy as np

CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # grey, RGB, grey + alpha, RGBA


def decode(png: bytes) -> np.ndarray:
    """The pixels as an array of shape (height, width, channels), 8-bit PNGs only."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        body = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or interlace != 0 or colour not in CHANNELS:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}")
    bpp = CHANNELS[colour]
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, 1 + width * bpp)
    out = np.zeros((height, width * bpp), dtype=np.int32)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:].astype(np.int32)
        up = out[y - 1] if y > 0 else np.zeros_like(line)
        if kind == 0:
            out[y] = line
        elif kind == 2:
            out[y] = (line + up) % 256
        else:  # Sub, Average and Paeth depend on the pixel to the left: byte by byte.
            row = np.zeros_like(line)
            for x in range(line.size):
                left = row[x - bpp] if x >= bpp else 0
                upleft = up[x - bpp] if x >= bpp else 0
                if kind == 1:
                    pred = left
                elif kind == 3:
                    pred = (left + up[x]) // 2
                elif kind == 4:
                    p = left + up[x] - upleft
                    pa, pb, pc = abs(p - left), abs(p - up[x]), abs(p - upleft)
                    pred = left if pa <= pb and pa <= pc else (up[x] if pb <= pc else upleft)
                else:
                    raise ValueError(f"bad filter type {kind}")
                row[x] = (line[x] + pred) % 256
            out[y] = row
    return out.reshape(height, width, bpp).astype(np.uint8)


def inked_fraction(pixels: np.ndarray) -> float:
    """The share of pixels that differ from the most common colour (the background)."""
    flat = pixels.reshape(-1, pixels.shape[-1])
    colours, counts = np.unique(flat, axis=0, return_counts=True)
    return 1 - counts.max() / flat.shape[0]
