#!/usr/bin/env python3
"""Rebuild assets/fonts/NotoSansSC-OneMap.otf: Noto Sans CJK SC subset to GB2312 + the project's own strings.

Run from the repository root after adding user-visible text with characters outside GB2312:
    apt-get install fonts-noto-cjk && pip install fonttools
    python3 packaging/subset-font.py
"""
import glob
import subprocess
import sys

SRC = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FACE = 2  # Noto Sans CJK SC inside the collection
OUT = "assets/fonts/NotoSansSC-OneMap.otf"

chars = set()
# GB2312: rows 0xA1..0xF7, columns 0xA1..0xFE
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
# Printable ASCII, Latin-1, Latin Extended-A (pinyin tone letters), general punctuation, arrows.
for lo, hi in [(0x20, 0x7F), (0xA0, 0x180), (0x1CD, 0x1DD), (0x2000, 0x206F), (0x2190, 0x21FF),
               (0x3000, 0x303F), (0xFF00, 0xFFEF), (0x2100, 0x214F), (0x2460, 0x24FF)]:
    chars.update(chr(c) for c in range(lo, hi))
# Everything the project itself says or shows: sources, map packs, docs.
for pattern in ["src/**/*.rs", "maps/**/*.json", "maps/**/*.geojson", "maps/**/*.csv", "maps/**/*.toml",
                "README.md", "tests/**/*.rs"]:
    for path in glob.glob(pattern, recursive=True):
        with open(path, encoding="utf-8", errors="ignore") as f:
            chars.update(f.read())
chars = sorted(c for c in chars if c.isprintable() and c not in "\n\r\t")
text = "".join(chars)
print(f"{len(chars)} characters", file=sys.stderr)
subprocess.run(["pyftsubset", SRC, f"--font-number={FACE}", f"--text={text}", f"--output-file={OUT}",
                "--no-hinting", "--name-IDs=*",
                "--name-legacy", "--name-languages=*"], check=True)
