#!/usr/bin/env python3
"""Reads the clock code from raw GRAY8 (or I420: the luma plane comes first)
frames: a Python port of ClockCode.read in Sources/PixelpassMedia/ClockCode.swift.

Usage: read-code.py FILE WIDTH HEIGHT [--format gray|i420]
Prints one line per frame: "frame N time_us T" or "unreadable: WHY"; exits 1
when no frame in the file carries a code. scripts/bench-latency --content busy
uses it to check the painted screen before measuring.
"""
import sys

COLUMNS, ROWS = 16, 8


def edge(index, count, length):
    return length if index == count else (index * length // count) & ~1


def central_half(start, end):
    quarter = (end - start) // 4
    lower = start + quarter
    return lower, max(lower + 1, end - quarter)


def crc16(data):
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def read(luma, width, height):
    band = height * 3 // 4
    means = []
    for row in range(ROWS):
        y0, y1 = central_half(edge(row, ROWS, band), edge(row + 1, ROWS, band))
        for column in range(COLUMNS):
            x0, x1 = central_half(edge(column, COLUMNS, width), edge(column + 1, COLUMNS, width))
            total = sum(sum(luma[y * width + x0:y * width + x1]) for y in range(y0, y1))
            means.append(total // max(1, (y1 - y0) * (x1 - x0)))
    white = sum(means[0:COLUMNS:2]) // (COLUMNS // 2)
    black = sum(means[1:COLUMNS:2]) // (COLUMNS // 2)
    if white - black < 48:
        return None, f"reference row contrast too low (white {white}, black {black})"
    threshold = (white + black) // 2
    if any((means[c] > threshold) != (c % 2 == 0) for c in range(COLUMNS)):
        return None, "reference row does not alternate"
    bits = [m > threshold for m in means[COLUMNS:]]
    data = bytearray(12)
    for index in range(96):
        if bits[index]:
            data[index // 8] |= 0x80 >> (index % 8)
    checksum = 0
    for index in range(96, 112):
        checksum = checksum << 1 | bits[index]
    if checksum != crc16(data):
        return None, f"checksum mismatch (white {white}, black {black})"
    return (int.from_bytes(data[:8], "big"), int.from_bytes(data[8:], "big")), f"white {white}, black {black}"


def main():
    if len(sys.argv) < 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    path, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    fmt = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--format" else "gray"
    frame_size = width * height if fmt == "gray" else width * height * 3 // 2
    data = open(path, "rb").read()
    found = 0
    for start in range(0, len(data) - frame_size + 1, frame_size):
        code, detail = read(data[start:start + width * height], width, height)
        if code:
            found += 1
            print(f"frame {code[1]} time_us {code[0]} ({detail})")
        else:
            print(f"unreadable: {detail}")
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main())
