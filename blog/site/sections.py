"""A Gatsby page's structured extras (blurbs, pricing plans, testimonials, images), in the
shape the page template shows. Pure functions over ``Page.extras``; plain text only (the
template escapes it), images through the references the importer stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Image:
    url: str
    alt: str = ""


@dataclass
class Plan:
    name: str
    price: str
    description: str
    items: list[str]


@dataclass
class Sections:
    heading: str = ""
    intro_heading: str = ""
    intro_text: str = ""
    blurbs: list[tuple[Image | None, str]] = field(default_factory=list)
    main_heading: str = ""
    main_text: str = ""
    main_images: list[Image] = field(default_factory=list)
    testimonials: list[tuple[str, str]] = field(default_factory=list)
    full_image: Image | None = None
    pricing_heading: str = ""
    pricing_text: str = ""
    plans: list[Plan] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.heading, self.blurbs, self.main_heading, self.testimonials, self.plans))


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def sections(extras: dict) -> Sections:
    """What to show of a page's extras; anything malformed is left out, never an error."""
    meta = _dict(extras.get("meta"))
    images = _dict(extras.get("images"))

    def image(ref, alt="") -> Image | None:
        url = images.get(ref) if isinstance(ref, str) else None
        return Image(url, _text(alt)) if url else None

    intro, main, pricing = (
        _dict(meta.get("intro")),
        _dict(meta.get("main")),
        _dict(meta.get("pricing")),
    )
    result = Sections(
        heading=_text(meta.get("heading")),
        intro_heading=_text(intro.get("heading")),
        intro_text=_text(intro.get("description")),
        main_heading=_text(main.get("heading")),
        main_text=_text(main.get("description")),
        pricing_heading=_text(pricing.get("heading")),
        pricing_text=_text(pricing.get("description")),
        full_image=image(meta.get("full_image")),
    )
    for blurb in _list(intro.get("blurbs")):
        blurb = _dict(blurb)
        if _text(blurb.get("text")):
            result.blurbs.append((image(blurb.get("image")), _text(blurb.get("text"))))
    for key in sorted(k for k in main if str(k).startswith("image")):
        item = _dict(main[key])
        found = image(item.get("image"), item.get("alt"))
        if found:
            result.main_images.append(found)
    for item in _list(meta.get("testimonials")):
        item = _dict(item)
        if _text(item.get("quote")):
            result.testimonials.append((_text(item.get("quote")), _text(item.get("author"))))
    for plan in _list(pricing.get("plans")):
        plan = _dict(plan)
        if _text(plan.get("plan")):
            result.plans.append(
                Plan(
                    _text(plan.get("plan")),
                    _text(plan.get("price")),
                    _text(plan.get("description")),
                    [_text(item) for item in _list(plan.get("items")) if _text(item)],
                )
            )
    return result
