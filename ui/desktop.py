"""The applications-menu entry and icon, installed for the user alone (no root).

`install()` writes, under ``$XDG_DATA_HOME`` (default ``~/.local/share``,
XDG Base Directory spec):

- ``applications/softphone.desktop``: resources/softphone.desktop with
  ``Exec`` the absolute path of the ``softphone`` command this Python runs
  (the virtual environment's when in one) and ``%u``, so a ``sip:`` link
  reaches it (Desktop Entry spec, "The Exec key");
- ``icons/hicolor/scalable/apps/softphone.svg`` and a PNG for each size in
  `ICON_SIZES` (``icons/hicolor/NxN/apps/softphone.png``), rendered from
  the SVG with QtSvg, for menus that cannot draw SVG (Icon Theme spec);
- a manifest of what it wrote, so `uninstall()` removes exactly that.

Then it refreshes the desktop database (``update-desktop-database``, which
indexes ``MimeType``) and an existing icon cache, where those tools exist.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from ui.icons import ICON_DIR

__all__ = [
    "ICON_SIZES",
    "DesktopError",
    "DesktopPaths",
    "autostart_enabled",
    "autostart_path",
    "entry_text",
    "exec_value",
    "install",
    "is_installed",
    "launcher_command",
    "render_png",
    "run_desktop_command",
    "set_autostart",
    "uninstall",
]

log = logging.getLogger(__name__)

APP_ID = "softphone"
#: PNG sizes for menus and panels that do not draw SVG.
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
#: The entry the package ships; `entry_text` fills in its Exec line.
TEMPLATE = ICON_DIR.parent / "softphone.desktop"
_MANIFEST_VERSION = 1
_MIME_CACHE = "mimeinfo.cache"
_ICON_CACHE = "icon-theme.cache"


class DesktopError(Exception):
    """The menu entry could not be installed or removed; the message says why.

    In the window's language; English on the command line, which installs
    no translator.
    """


def _xdg_home(environ: Mapping[str, str], name: str, default: str) -> Path:
    # "If $XDG_DATA_HOME is either not set or empty, a default equal to
    # $HOME/.local/share should be used"; a relative path is to be ignored.
    value = environ.get(name, "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path(environ.get("HOME") or Path.home()) / default


@dataclass(frozen=True)
class DesktopPaths:
    """Where the entry, the icons and the manifest go, from one data home."""

    data_home: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DesktopPaths:
        """The paths for ``$XDG_DATA_HOME`` (or ``~/.local/share``)."""
        environ = os.environ if environ is None else environ
        return cls(_xdg_home(environ, "XDG_DATA_HOME", ".local/share"))

    @property
    def applications(self) -> Path:
        return self.data_home / "applications"

    @property
    def entry(self) -> Path:
        return self.applications / f"{APP_ID}.desktop"

    @property
    def hicolor(self) -> Path:
        return self.data_home / "icons" / "hicolor"

    @property
    def manifest(self) -> Path:
        return self.data_home / APP_ID / "desktop-install.json"

    def icon_files(self) -> list[Path]:
        """The scalable icon, then one PNG per size."""
        files = [self.hicolor / "scalable" / "apps" / f"{APP_ID}.svg"]
        files += [self.hicolor / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in ICON_SIZES]
        return files


# --- the entry ----------------------------------------------------------------------


def launcher_command() -> list[str]:
    """The command that starts this installation of softphone, absolute.

    The ``softphone`` script beside the running interpreter (a virtual
    environment's ``bin/``, or the user scheme's for ``pip install --user``);
    without one, this interpreter with ``-m softphone``.
    """
    names = [sysconfig.get_path("scripts")]
    user_scheme = f"{os.name}_user"
    if user_scheme in sysconfig.get_scheme_names():
        names.append(sysconfig.get_path("scripts", user_scheme))
    for folder in names:
        script = Path(folder) / APP_ID
        if script.is_file() and os.access(script, os.X_OK):
            return [str(script.absolute())]
    return [str(Path(sys.executable).absolute()), "-m", APP_ID]


# Characters that make the spec require quoting an Exec argument, and those
# that must then be escaped with a backslash inside the quotes.
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
_ESCAPED_IN_QUOTES = set('"`$\\')


def exec_value(argv: Sequence[str], *field_codes: str) -> str:
    """*argv* as a Desktop Entry ``Exec`` value, then *field_codes* (``%u``).

    Raises:
        DesktopError: an argument has a line break or control character.
    """
    parts = []
    for arg in argv:
        if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in arg):
            raise DesktopError(
                QCoreApplication.translate(
                    "desktop", "The command {command} cannot be written into a menu entry"
                ).format(command=repr(arg))
            )
        arg = arg.replace("%", "%%")  # a literal percent sign is %%
        if any(ch in _RESERVED for ch in arg):
            arg = '"' + "".join("\\" + ch if ch in _ESCAPED_IN_QUOTES else ch for ch in arg) + '"'
        parts.append(arg)
    value = " ".join([*parts, *field_codes])
    # The value is a string of the key file: its own backslashes are escaped
    # once more ("\\\\" in the file is one backslash in the command).
    return value.replace("\\", "\\\\")


def entry_text(
    command: Sequence[str],
    *,
    extra_args: Sequence[str] = (),
    field_codes: Sequence[str] = ("%u",),
    drop_keys: Iterable[str] = (),
    extra_keys: Iterable[tuple[str, str]] = (),
) -> str:
    """The shipped entry with ``Exec``/``TryExec`` set for *command*.

    *extra_args* go after the command (``--hidden`` for autostart), then
    *field_codes*; keys named in *drop_keys* are left out and *extra_keys*
    added at the end of the group.
    """
    dropped = {"TryExec", *drop_keys}
    lines = []
    for line in TEMPLATE.read_text(encoding="utf-8").splitlines():
        key = line.split("=", 1)[0].strip()
        if key == "Exec":
            lines.append(f"TryExec={exec_value(command[:1])}")
            lines.append(f"Exec={exec_value([*command, *extra_args], *field_codes)}")
        elif key not in dropped:
            lines.append(line)
    lines += [f"{key}={value}" for key, value in extra_keys]
    return "\n".join(lines) + "\n"


# --- icons --------------------------------------------------------------------------


def render_png(svg: Path, size: int) -> bytes:
    """*svg* drawn at *size* x *size* pixels on a transparent square, as PNG.

    Raises:
        DesktopError: the SVG cannot be read.
    """
    _ensure_gui()
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise DesktopError(
            QCoreApplication.translate("desktop", "The icon {path} is not a readable SVG").format(
                path=svg
            )
        )
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes; it takes str
    buffer.close()
    return bytes(data.data())


def _ensure_gui() -> None:
    # QPainter needs a QGuiApplication; the command line has none, and may
    # run with no display at all, so it draws on the offscreen platform.
    if QGuiApplication.instance() is None:
        _GUI.append(QGuiApplication([APP_ID, "-platform", "offscreen"]))


#: The command line's offscreen QGuiApplication, kept alive while it draws.
_GUI: list[QGuiApplication] = []


# --- install / uninstall ------------------------------------------------------------


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _missing_dirs(path: Path, root: Path) -> list[Path]:
    """The folders between *root* and *path* that do not exist yet, outermost first."""
    missing = []
    for parent in reversed(path.parents):
        if parent.is_relative_to(root) and parent != root and not parent.exists():
            missing.append(parent)
    return missing


def _read_manifest(paths: DesktopPaths) -> dict[str, object] | None:
    try:
        data = json.loads(paths.manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise DesktopError(
            QCoreApplication.translate(
                "desktop", "The install record {path} is unreadable: {error}"
            ).format(path=paths.manifest, error=exc)
        ) from None
    return data if isinstance(data, dict) else None


def is_installed(paths: DesktopPaths | None = None) -> bool:
    """True when the menu entry written by `install()` is there."""
    paths = paths or DesktopPaths.from_env()
    return paths.manifest.is_file() and paths.entry.is_file()


def install(
    paths: DesktopPaths | None = None,
    *,
    command: Sequence[str] | None = None,
    refresh: bool = True,
) -> list[Path]:
    """Write the menu entry and icons; the files written.

    Installing again replaces them (a new ``Exec`` after a move).

    Raises:
        DesktopError: a file could not be written (the ones written so far
            stay recorded, so `uninstall()` still removes them).
    """
    paths = paths or DesktopPaths.from_env()
    command = list(command or launcher_command())
    previous = _read_manifest(paths) or {}
    created_dirs = [Path(p) for p in _as_list(previous.get("dirs"))]
    generated = [Path(p) for p in _as_list(previous.get("generated"))]
    contents: list[tuple[Path, bytes]] = [
        (paths.entry, entry_text(command).encode("utf-8")),
    ]
    icons = paths.icon_files()
    contents.append((icons[0], (ICON_DIR / f"{APP_ID}.svg").read_bytes()))
    for size, target in zip(ICON_SIZES, icons[1:], strict=True):
        contents.append((target, render_png(ICON_DIR / f"{APP_ID}.svg", size)))
    had_mime_cache = (paths.applications / _MIME_CACHE).exists()
    written: dict[str, str] = {}
    try:
        paths.data_home.mkdir(parents=True, exist_ok=True)
        for target in [paths.manifest, *(t for t, _ in contents)]:
            for folder in _missing_dirs(target, paths.data_home):
                folder.mkdir()
                created_dirs.append(folder)
        for target, data in contents:
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)
            written[str(target)] = _digest(data)
    except OSError as exc:
        raise DesktopError(
            QCoreApplication.translate("desktop", "Cannot write the menu entry: {error}").format(
                error=exc
            )
        ) from None
    finally:
        _write_manifest(paths, written, created_dirs, generated)
    if refresh:
        _refresh(paths)
        mime_cache = paths.applications / _MIME_CACHE
        if not had_mime_cache and mime_cache.exists() and mime_cache not in generated:
            generated.append(mime_cache)
            _write_manifest(paths, written, created_dirs, generated)
    return [Path(p) for p in written]


def _as_list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _write_manifest(
    paths: DesktopPaths, files: Mapping[str, str], dirs: list[Path], generated: list[Path]
) -> None:
    record = {
        "version": _MANIFEST_VERSION,
        "files": dict(files),
        "dirs": [str(d) for d in dict.fromkeys(dirs)],
        "generated": [str(g) for g in dict.fromkeys(generated)],
    }
    paths.manifest.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def uninstall(paths: DesktopPaths | None = None, *, refresh: bool = True) -> list[Path]:
    """Remove what `install()` wrote, and nothing else; the paths removed.

    A recorded file that is no longer what install wrote (edited since) is
    kept. Folders install made are removed when they are left empty.

    Raises:
        DesktopError: the install record is unreadable.
    """
    paths = paths or DesktopPaths.from_env()
    record = _read_manifest(paths)
    if record is None:
        return []
    removed: list[Path] = []
    files = record.get("files")
    for name, digest in files.items() if isinstance(files, dict) else []:
        target = Path(name)
        # Only inside the data home: a tampered record must not delete elsewhere.
        if not target.is_relative_to(paths.data_home) or ".." in target.parts:
            continue
        try:
            if _digest(target.read_bytes()) != digest:
                log.warning("kept %s: changed since it was installed", target)
                continue
            target.unlink()
            removed.append(target)
        except FileNotFoundError:
            continue
    paths.manifest.unlink(missing_ok=True)
    removed.append(paths.manifest)
    if refresh:
        apps = paths.applications
        others = list(apps.glob("*.desktop")) if apps.is_dir() else []
        for cache in (Path(p) for p in _as_list(record.get("generated"))):
            if cache.is_relative_to(paths.data_home) and cache.name == _MIME_CACHE and not others:
                cache.unlink(missing_ok=True)
                removed.append(cache)
        _refresh(paths)
    for folder in sorted((Path(d) for d in _as_list(record.get("dirs"))), reverse=True):
        if folder.is_relative_to(paths.data_home) and folder != paths.data_home:
            try:
                folder.rmdir()  # only when empty
                removed.append(folder)
            except OSError:
                pass
    return removed


def _refresh(paths: DesktopPaths) -> None:
    """Re-index the entries (MimeType) and any existing icon cache; never fatal."""
    commands = []
    apps = paths.applications
    if apps.is_dir() and (any(apps.glob("*.desktop")) or (apps / _MIME_CACHE).exists()):
        commands.append(["update-desktop-database", "-q", str(paths.applications)])
    # GTK trusts a cache over the folder; one that exists must be brought up
    # to date, but none is made where there was none.
    if (paths.hicolor / _ICON_CACHE).exists():
        commands.append(["gtk-update-icon-cache", "-q", "-f", "-t", str(paths.hicolor)])
    for argv in commands:
        if shutil.which(argv[0]) is None:
            continue
        try:
            subprocess.run(argv, check=False, capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("%s did not finish: %s", argv[0], exc)


# --- start at login -----------------------------------------------------------------


def autostart_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/autostart/softphone.desktop`` (XDG Autostart spec)."""
    environ = os.environ if environ is None else environ
    return _xdg_home(environ, "XDG_CONFIG_HOME", ".config") / "autostart" / f"{APP_ID}.desktop"


def autostart_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """True when softphone starts at login (our autostart entry is there)."""
    return autostart_path(environ).is_file()


def set_autostart(
    enabled: bool,
    *,
    command: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """Write or remove the autostart entry; it starts softphone in the tray.

    Raises:
        DesktopError: the entry could not be written or removed.
    """
    path = autostart_path(environ)
    try:
        if not enabled:
            path.unlink(missing_ok=True)
            return path
        text = entry_text(
            list(command or launcher_command()),
            extra_args=["--hidden"],
            field_codes=(),
            # A login start opens no link and is no handler for one.
            drop_keys=("MimeType",),
            extra_keys=[("X-GNOME-Autostart-enabled", "true")],
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise DesktopError(
            QCoreApplication.translate(
                "desktop", "Cannot change the start at login: {error}"
            ).format(error=exc)
        ) from None
    return path


def run_desktop_command(action: str) -> int:
    """`softphone desktop install|uninstall`: one JSON line; 0 done, 2 failed."""
    try:
        if action == "install":
            files = install()
            result: dict[str, object] = {
                "installed": [str(f) for f in files],
                "exec": exec_value(launcher_command(), "%u"),
            }
        else:
            result = {"removed": [str(f) for f in uninstall()]}
    except DesktopError as exc:
        sys.stderr.write(f"softphone: {exc}\n")
        return 2
    sys.stdout.write(json.dumps(result) + "\n")
    return 0
