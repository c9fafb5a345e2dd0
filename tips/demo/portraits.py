"""Portraits for the demo gurus, drawn by Pillow so the demo ships no photographs."""

from PIL import Image, ImageDraw, ImageFont

SIZE = 640


def draw_portrait(initials: str, background: str, foreground: str) -> Image.Image:
    """A round badge with the guru's initials: clearly a placeholder, still pleasant to look at."""
    image = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(image)
    # Soft concentric rings give the flat colour some depth.
    for step, inset in enumerate(range(0, SIZE // 2, SIZE // 10)):
        shade = Image.new("RGB", (1, 1), foreground).getpixel((0, 0))
        base = Image.new("RGB", (1, 1), background).getpixel((0, 0))
        mix = 0.06 + step * 0.015
        colour = tuple(round(b + (s - b) * mix) for b, s in zip(base, shade, strict=True))
        draw.ellipse((inset, inset, SIZE - inset, SIZE - inset), fill=colour)
    font = ImageFont.load_default(size=SIZE // 3)
    draw.text((SIZE / 2, SIZE / 2), initials, fill=foreground, font=font, anchor="mm")
    return image
