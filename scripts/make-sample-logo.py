"""Draws the sample theme's logo, samples/themes/northwind/logo.png: a blue compass mark and
the name, 480 x 128 pixels with a transparent background. Run once; the PNG is committed.

Usage: .tools/venv/bin/python scripts/make-sample-logo.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

ACCENT = (11, 95, 255, 255)
INK = (20, 28, 48, 255)
OUT = Path(__file__).resolve().parent.parent / "samples" / "themes" / "northwind" / "logo.png"


def main() -> None:
    scale = 4  # drawn large and scaled down: smooth edges without a font file
    width, height = 480 * scale, 128 * scale
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    # The mark: a disc with a white four-pointed star.
    cx, cy, r = 64 * scale, 64 * scale, 56 * scale
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=ACCENT)
    s, w = 44 * scale, 11 * scale
    white = (255, 255, 255, 255)
    draw.polygon([(cx, cy - s), (cx + w, cy), (cx, cy + s), (cx - w, cy)], fill=white)
    draw.polygon([(cx - s, cy), (cx, cy - w), (cx + s, cy), (cx, cy + w)], fill=white)
    # The word mark: "NORTHWIND" as thick block bars, a stylised rule under it.
    x0 = 140 * scale
    draw.rounded_rectangle((x0, 34 * scale, x0 + 320 * scale, 74 * scale), 8 * scale, fill=INK)
    draw.rounded_rectangle((x0, 84 * scale, x0 + 220 * scale, 96 * scale), 6 * scale, fill=ACCENT)
    image = image.resize((width // scale, height // scale), Image.LANCZOS)
    image.save(OUT, optimize=True)
    print(f"{OUT.name}: {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
