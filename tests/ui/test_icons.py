"""The icon tables are exhaustive over their enums, and every picture draws something."""

from __future__ import annotations

import configparser
import enum
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from softphone.services.presence import BuddyStatus
from softphone.sip.delivery import DeliveryState
from ui import icons

RESOURCES = Path(icons.__file__).parent.parent / "resources"


def render_svg(path: Path, size: int = 32) -> QImage:
    renderer = QSvgRenderer(str(path))
    assert renderer.isValid(), f"{path.name} is not a valid SVG"
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


def icon_image(icon: QIcon, size: int = 32) -> QImage:
    pixmap = icon.pixmap(size, size)
    assert not pixmap.isNull()
    return pixmap.toImage().convertToFormat(QImage.Format.Format_ARGB32)


def opaque_pixels(image: QImage) -> list[QColor]:
    return [
        image.pixelColor(x, y)
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).alpha() > 128
    ]


def mean_rgb(colors: list[QColor]) -> tuple[float, float, float]:
    n = len(colors)
    return (
        sum(c.red() for c in colors) / n,
        sum(c.green() for c in colors) / n,
        sum(c.blue() for c in colors) / n,
    )


def test_icon_dir_is_next_to_the_ui_package() -> None:
    assert icons.ICON_DIR == RESOURCES / "icons"
    assert icons.ICON_DIR.is_dir()


def test_delivery_table_covers_every_state_with_its_own_file() -> None:
    assert set(icons.DELIVERY_ICON_FILES) == set(DeliveryState)
    files = list(icons.DELIVERY_ICON_FILES.values())
    assert len(set(files)) == len(files)
    for state in DeliveryState:
        path = icons.delivery_icon_path(state)
        assert path.name == f"delivery-{state.value}.svg"
        assert path.is_file(), f"no icon file for {state}"


@pytest.mark.parametrize("state", list(DeliveryState), ids=lambda s: s.value)
def test_every_delivery_svg_and_icon_draws_pixels(qapp: QApplication, state: DeliveryState) -> None:
    assert len(opaque_pixels(render_svg(icons.delivery_icon_path(state)))) > 20
    assert len(opaque_pixels(icon_image(icons.delivery_icon(state)))) > 20


def test_delivery_icons_all_differ(qapp: QApplication) -> None:
    images = {state: icon_image(icons.delivery_icon(state)) for state in DeliveryState}
    for a in DeliveryState:
        for b in DeliveryState:
            if a is not b:
                assert images[a] != images[b], f"{a} and {b} look the same"


def test_failure_icons_are_red_and_sending_is_grey(qapp: QApplication) -> None:
    for state in (DeliveryState.FAILED, DeliveryState.DECLINED):
        red, green, blue = mean_rgb(opaque_pixels(icon_image(icons.delivery_icon(state))))
        assert red > 1.5 * green and red > 1.5 * blue, state
    red, green, blue = mean_rgb(
        opaque_pixels(icon_image(icons.delivery_icon(DeliveryState.SENDING)))
    )
    assert max(red, green, blue) - min(red, green, blue) < 10
    # A tick in the success states is not drawn in a failure colour.
    for state in (DeliveryState.DELIVERED, DeliveryState.ACCEPTED, DeliveryState.READ):
        red, _green, blue = mean_rgb(opaque_pixels(icon_image(icons.delivery_icon(state))))
        assert blue > red, state


def test_buddy_table_covers_every_status() -> None:
    assert set(icons.BUDDY_COLORS) == set(BuddyStatus)


@pytest.mark.parametrize("status", list(BuddyStatus), ids=lambda s: s.value)
def test_buddy_color_and_dot_accept_the_enum_or_its_value(
    qapp: QApplication, status: BuddyStatus
) -> None:
    assert icons.buddy_color(status) == icons.buddy_color(status.value)
    assert icons.buddy_color(status).isValid()
    assert len(opaque_pixels(icon_image(icons.buddy_dot(status), 16))) > 10
    assert icon_image(icons.buddy_dot(status)) == icon_image(icons.buddy_dot(status.value))


def test_buddy_status_from_another_enum_with_the_same_values(qapp: QApplication) -> None:
    Mirror = enum.Enum("Mirror", {"ON": "online", "GONE": "no-such-user"})
    assert icons.buddy_color(Mirror.ON) == icons.buddy_color(BuddyStatus.ONLINE)
    assert icons.buddy_color(Mirror.GONE) == icons.buddy_color(BuddyStatus.NO_SUCH_USER)


def test_unknown_buddy_status_is_refused() -> None:
    with pytest.raises(ValueError):
        icons.buddy_color("busy")


def test_buddy_colours_mean_what_they_say() -> None:
    def hue_name(status: BuddyStatus) -> str:
        color = icons.buddy_color(status)
        if color.hsvSaturation() < 40:
            return "grey"
        hue = color.hsvHue()
        if hue < 20 or hue > 340:
            return "red"
        if 30 <= hue <= 60:
            return "amber"
        if 80 <= hue <= 160:
            return "green"
        return f"hue {hue}"

    assert hue_name(BuddyStatus.ONLINE) == "green"
    assert hue_name(BuddyStatus.OFFLINE) == "grey"
    assert hue_name(BuddyStatus.UNKNOWN) == "grey"
    assert hue_name(BuddyStatus.WAITING) == "amber"
    assert hue_name(BuddyStatus.NOT_ALLOWED) == "red"
    assert hue_name(BuddyStatus.NO_SUCH_USER) == "red"
    # Unknown is lighter than offline: nothing is known, not "known to be away".
    unknown = icons.buddy_color(BuddyStatus.UNKNOWN)
    offline = icons.buddy_color(BuddyStatus.OFFLINE)
    assert unknown.lightness() > offline.lightness()


def test_unknown_dot_is_an_outline_and_online_is_filled(qapp: QApplication) -> None:
    unknown = icon_image(icons.buddy_dot(BuddyStatus.UNKNOWN), 32)
    online = icon_image(icons.buddy_dot(BuddyStatus.ONLINE), 32)
    assert unknown.pixelColor(16, 16).alpha() == 0
    assert online.pixelColor(16, 16).alpha() == 255


def test_app_icon_draws(qapp: QApplication) -> None:
    assert len(opaque_pixels(render_svg(icons.ICON_DIR / "softphone.svg", 64))) > 1000
    assert len(opaque_pixels(icon_image(icons.app_icon(), 64))) > 1000


def test_desktop_entry() -> None:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(RESOURCES / "softphone.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Softphone"
    assert entry["Exec"] == "softphone %u"
    assert entry["MimeType"] == "x-scheme-handler/sip;x-scheme-handler/sips;"
    assert entry["Icon"] == "softphone"
    assert entry["Categories"] == "Network;InstantMessaging;Telephony;"
    # The Icon name must match a file the package ships.
    assert (icons.ICON_DIR / f"{entry['Icon']}.svg").is_file()
