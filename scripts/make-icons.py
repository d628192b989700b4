#!/usr/bin/env python3
"""Draws the app icons (PNG) from the same shapes as public/favicon.svg:
a blue tile with a white check mark. Pure Python, no imaging library.
Run: python3 scripts/make-icons.py (writes public/icons/)."""
import math, os, struct, zlib

BLUE = (0x1B, 0x4F, 0x8A)
WHITE = (0xFF, 0xFF, 0xFF)
CHECK = [(18, 33), (27, 42), (46, 21)]  # in the favicon's 64-unit box
HALF_STROKE = 3.5

def seg_dist(px, py, a, b):
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))

def in_rounded(x, y, r):
    cx = min(max(x, r), 64 - r)
    cy = min(max(y, r), 64 - r)
    return math.hypot(x - cx, y - cy) <= r

def draw(size, rounded, scale):
    """scale < 1 shrinks the check mark toward the centre (maskable safe zone)."""
    rows = []
    n = 3  # supersampling per axis
    for j in range(size):
        row = bytearray([0])
        for i in range(size):
            acc = [0, 0, 0, 0]
            for sj in range(n):
                for si in range(n):
                    x = (i + (si + 0.5) / n) * 64 / size
                    y = (j + (sj + 0.5) / n) * 64 / size
                    if rounded and not in_rounded(x, y, 12):
                        continue
                    mx, my = 32 + (x - 32) / scale, 32 + (y - 32) / scale
                    d = min(seg_dist(mx, my, CHECK[0], CHECK[1]), seg_dist(mx, my, CHECK[1], CHECK[2]))
                    colour = WHITE if d <= HALF_STROKE else BLUE
                    acc[0] += colour[0]; acc[1] += colour[1]; acc[2] += colour[2]; acc[3] += 255
            k = n * n
            row += bytes([acc[0] // k, acc[1] // k, acc[2] // k, acc[3] // k]) if acc[3] else bytes(4)
        rows.append(bytes(row))
    return rows

def png(path, size, rows):
    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(rows)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
    data += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)

out = os.path.join(os.path.dirname(__file__), "..", "public", "icons")
os.makedirs(out, exist_ok=True)
for name, size, rounded, scale in [
    ("icon-192.png", 192, True, 1.0),
    ("icon-512.png", 512, True, 1.0),
    ("maskable-512.png", 512, False, 0.75),
    ("apple-touch-icon.png", 180, False, 0.85),
]:
    png(os.path.join(out, name), size, draw(size, rounded, scale))
    print("wrote", name)
