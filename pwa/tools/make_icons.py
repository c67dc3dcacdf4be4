"""Draws the PWA icons (192, 512, maskable 512) with Pillow: `python pwa/tools/make_icons.py`."""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "icons"
BLUE = (11, 93, 140)
WHITE = (255, 255, 255)
GOLD = (242, 183, 5)


def draw(size: int, safe: float) -> Image.Image:
    """safe: fraction of the canvas the mark may use (maskable icons keep it inside the central 80% circle)."""
    img = Image.new("RGB", (size, size), BLUE)
    d = ImageDraw.Draw(img)
    mark = size * safe
    x0 = (size - mark) / 2
    y0 = (size - mark) / 2
    # A house (the kelurahan office) with a gold door: the city serving its residents.
    roof = [(x0 + mark * 0.5, y0 + mark * 0.12), (x0 + mark * 0.92, y0 + mark * 0.48),
            (x0 + mark * 0.08, y0 + mark * 0.48)]
    d.polygon(roof, fill=WHITE)
    d.rectangle([x0 + mark * 0.2, y0 + mark * 0.46, x0 + mark * 0.8, y0 + mark * 0.88], fill=WHITE)
    d.rectangle([x0 + mark * 0.42, y0 + mark * 0.6, x0 + mark * 0.58, y0 + mark * 0.88], fill=GOLD)
    return img


def main() -> None:
    OUT.mkdir(exist_ok=True)
    draw(192, 0.86).save(OUT / "icon-192.png", optimize=True)
    draw(512, 0.86).save(OUT / "icon-512.png", optimize=True)
    draw(512, 0.6).save(OUT / "maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
