#!/usr/bin/env python3
"""Figures about a PNG for tests, with the standard library only (no Pillow):

    png_stats.py FILE.png [#rrggbb ...]

Prints JSON: width, height, distinct colours, the share of pixels that are neither white nor
the most common colour ("ink"), and for each #rrggbb given the share of pixels within 12 of it
in every channel. Handles 8-bit RGB and RGBA, non-interlaced (what cairo writes).
"""
import json
import struct
import sys
import zlib
from collections import Counter


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = ihdr
    if depth != 8 or colour not in (2, 6) or interlace != 0:
        raise SystemExit(f"{path}: only 8-bit RGB/RGBA non-interlaced PNGs are handled")
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        ftype = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 255
            elif ftype == 2:
                line[x] = (line[x] + b) & 255
            elif ftype == 3:
                line[x] = (line[x] + ((a + b) >> 1)) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 255
        rows.append(bytes(line))
        prev = line
    pixels = []
    for line in rows:
        for x in range(0, stride, bpp):
            pixels.append((line[x], line[x + 1], line[x + 2]))
    return width, height, pixels


def main():
    path, wanted = sys.argv[1], sys.argv[2:]
    width, height, pixels = read_png(path)
    counts = Counter(pixels)
    common = counts.most_common(1)[0][0]
    n = len(pixels)
    ink = sum(c for p, c in counts.items() if p != common and p != (255, 255, 255)) / n
    near = {}
    for h in wanted:
        r, g, b = int(h[1:3], 16), int(h[3:5], 16), int(h[5:7], 16)
        near[h] = sum(c for p, c in counts.items()
                      if abs(p[0] - r) <= 12 and abs(p[1] - g) <= 12 and abs(p[2] - b) <= 12) / n
    print(json.dumps({"width": width, "height": height, "distinct_colours": len(counts),
                      "most_common": "#%02x%02x%02x" % common,
                      "most_common_share": round(counts[common] / n, 4),
                      "ink_share": round(ink, 4), "near": near}))


if __name__ == "__main__":
    main()
