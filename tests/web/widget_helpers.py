"""Driving the widget the way a person does: open it, type, press Enter, wait for the answer."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator, Page, expect

WIDGET = "sahla-widget"


def shadow(page: Page, selector: str) -> Locator:
    """Playwright's CSS engine pierces open shadow roots."""
    return page.locator(f"{WIDGET} {selector}")


def open_demo(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/demo")
    shadow(page, ".launcher").click()
    expect(shadow(page, ".panel")).to_be_visible()


def answers(page: Page) -> Locator:
    return shadow(page, ".row.bot:not(.welcome)")


def ask(page: Page, question: str) -> Locator:
    """Types and sends a question; returns the finished answer's bubble."""
    count = answers(page).count()
    shadow(page, "#sahla-input").fill(question)
    shadow(page, "#sahla-input").press("Enter")
    answer = answers(page).nth(count)
    expect(answer.locator(".msg")).not_to_have_attribute("aria-busy", "true")
    expect(answer.locator(".feedback, .retry, .choices").first).to_be_visible()  # a clarify turn has no thumbs
    return answer


def computed(locator: Locator, prop: str) -> Any:
    return locator.evaluate("(el, prop) => getComputedStyle(el).getPropertyValue(prop)", prop)


def luminance(rgb: tuple[float, ...]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def parse_rgb(css: str) -> tuple[float, ...]:
    inside = css[css.index("(") + 1:css.index(")")].replace("/", " ").replace(",", " ")
    return tuple(float(v) for v in inside.split()[:3])


def contrast(foreground: str, background: str) -> float:
    high, low = sorted((luminance(parse_rgb(foreground)), luminance(parse_rgb(background))), reverse=True)
    return (high + 0.05) / (low + 0.05)
