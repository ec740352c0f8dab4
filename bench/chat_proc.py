"""One chat-view measurement in a fresh process (offscreen Qt); prints JSON.

    python3 -m bench.chat_proc SUBJECT DB [--appends N] [--scrolls N]

SUBJECT is `chatview` (our `ChatView` over `ConversationModel`, paging
from the store), `listwidget` (a QListWidget with one item per message)
or `textbrowser` (a QTextBrowser with one HTML paragraph per message).
Each fresh process measures, with `time.perf_counter`:

- first frame: from creating the widget (and, for the peers, reading every
  message from the store into it) to the end of the first paint event of
  its viewport;
- memory: resident set growth (/proc/self/statm) over the same span, and
  again after the appends and scrolls below;
- append: store one outgoing message, hand it to the widget, and process
  events until a paint of the viewport shows the bottom of the list;
- scroll a page: move the vertical scroll bar up by its page step and
  process events until the viewport has painted.

Qt is warmed up first (a painted label with Hangul and Latin text loads
the fonts), so no subject pays for that alone.
"""

from __future__ import annotations

import argparse
import gc
import html
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QLabel,
    QListWidget,
    QTextBrowser,
    QWidget,
)

from bench.history import PEER
from softphone.store import MessageRecord, Store
from ui.windows.chat_view import ChatView

SIZE = (480, 640)
#: The text appended in the append measurement.
APPENDED = "방금 도착했어요, see you at the gate 🙂"
#: Longest any single wait for a paint may take before the run is abandoned.
PAINT_TIMEOUT = 60.0


def rss_bytes() -> int:
    """Resident set size of this process, from /proc/self/statm."""
    fields = Path("/proc/self/statm").read_text().split()
    return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")


class PaintWatch(QObject):
    """Notes a paint event of one widget that happens while `ready()` holds."""

    def __init__(self, target: QWidget) -> None:
        super().__init__()
        self.hit = False
        self.ready: Callable[[], bool] = lambda: True
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Record the paint; the event then goes on to the widget as usual."""
        if event.type() == QEvent.Type.Paint and self.ready():
            self.hit = True
        return False

    def wait(self, app: QApplication, ready: Callable[[], bool] | None = None) -> None:
        """Process events until a paint happened with `ready()` true.

        The paint event is delivered inside `processEvents`, so when that
        returns after `hit` was set, the paint has completed.

        Raises:
            TimeoutError: no such paint within PAINT_TIMEOUT seconds.
        """
        self.hit = False
        self.ready = ready or (lambda: True)
        deadline = time.perf_counter() + PAINT_TIMEOUT
        while not self.hit:
            app.processEvents()
            if time.perf_counter() > deadline:
                raise TimeoutError("no paint of the viewport")


def _warm_up(app: QApplication) -> None:
    label = QLabel("안녕하세요 hello ✓✓ 🙂")
    watch = PaintWatch(label)
    label.show()
    watch.wait(app)
    label.hide()
    label.deleteLater()
    app.processEvents()


def _at_bottom(area: QAbstractScrollArea) -> bool:
    bar = area.verticalScrollBar()
    return bar.value() == bar.maximum()


class Subject:
    """A widget showing the conversation, and how to append to it."""

    widget: QWidget
    area: QAbstractScrollArea

    def __init__(self, store: Store) -> None:
        self.store = store
        #: Seconds the last `append` spent writing to the store.
        self.store_s = 0.0

    def _store(self, text: str) -> MessageRecord:
        begin = time.perf_counter()
        record = self.store.insert_outgoing(PEER, text, now=time.time())
        self.store_s = time.perf_counter() - begin
        return record

    def to_bottom(self) -> None:
        """Scroll to the newest message."""
        bar = self.area.verticalScrollBar()
        bar.setValue(bar.maximum())

    def create(self) -> None:
        """Build the widget with the whole conversation, scrolled to the newest."""
        raise NotImplementedError

    def append(self, text: str) -> Callable[[], bool]:
        """Store and show one message; returns "the paint shows it" condition."""
        raise NotImplementedError


class OurChatView(Subject):
    """`ChatView` as the main window uses it."""

    def create(self) -> None:
        self.view = ChatView(self.store)
        self.view.resize(*SIZE)
        self.view.set_peer(PEER, "Minji")
        self.widget = self.view
        self.area = self.view.view

    def append(self, text: str) -> Callable[[], bool]:
        record = self._store(text)
        self.view.show_added(record)
        model = self.view.model
        assert model is not None
        view = self.view.view

        def shown() -> bool:
            last = model.index(model.rowCount() - 1, 0)
            return (
                model.message_id(last.row()) == record.id
                and view.visualRect(last).intersects(view.viewport().rect())
                and _at_bottom(view)
            )

        return shown


class ListWidgetPeer(Subject):
    """QListWidget: one item per message, all of them."""

    def create(self) -> None:
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.resize(*SIZE)
        records = self.store.messages(PEER, limit=10_000_000)
        self.list.addItems([record.body for record in records])
        self.list.scrollToBottom()
        self.widget = self.area = self.list

    def append(self, text: str) -> Callable[[], bool]:
        self._store(text)
        self.list.addItem(text)
        item = self.list.item(self.list.count() - 1)
        self.list.scrollToBottom()
        return lambda: (
            self.list.visualItemRect(item).intersects(self.list.viewport().rect())
            and _at_bottom(self.list)
        )


def _paragraph(direction: str, body: str) -> str:
    align = "right" if direction == "out" else "left"
    return f'<p align="{align}">{html.escape(body)}</p>'


class TextBrowserPeer(Subject):
    """QTextBrowser: every message as an HTML paragraph of one document."""

    def create(self) -> None:
        self.browser = QTextBrowser()
        self.browser.resize(*SIZE)
        records = self.store.messages(PEER, limit=10_000_000)
        self.browser.setHtml(
            "".join(_paragraph(record.direction.value, record.body) for record in records)
        )
        bar = self.browser.verticalScrollBar()
        bar.setValue(bar.maximum())
        self.widget = self.area = self.browser

    def append(self, text: str) -> Callable[[], bool]:
        self._store(text)
        blocks = self.browser.document().blockCount()
        self.browser.append(_paragraph("out", text))
        bar = self.browser.verticalScrollBar()
        bar.setValue(bar.maximum())
        return lambda: self.browser.document().blockCount() > blocks and _at_bottom(self.browser)


SUBJECTS: dict[str, type[Subject]] = {
    "chatview": OurChatView,
    "listwidget": ListWidgetPeer,
    "textbrowser": TextBrowserPeer,
}


def measure(subject_name: str, db: Path, *, appends: int, scrolls: int) -> dict[str, object]:
    """Every measurement of one subject; times in seconds, memory in bytes."""
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    _warm_up(app)
    store = Store.open(db)
    subject = SUBJECTS[subject_name](store)
    gc.collect()
    rss0 = rss_bytes()

    start = time.perf_counter()
    subject.create()
    watch = PaintWatch(subject.area.viewport())
    subject.widget.show()
    watch.wait(app)
    first_frame = time.perf_counter() - start
    rss_first = rss_bytes() - rss0

    # Let deferred work (queued scrolls, incremental layout) settle, so the
    # appends start from the bottom of a finished view.
    settle = time.perf_counter() + PAINT_TIMEOUT
    bar = subject.area.verticalScrollBar()
    steady = 0
    while time.perf_counter() < settle and steady < 20:
        before = bar.maximum()
        app.processEvents()
        subject.to_bottom()
        steady = steady + 1 if bar.maximum() == before else 0
    settled = time.perf_counter() - start

    append_s: list[float] = []
    store_s: list[float] = []
    for n in range(appends):
        begin = time.perf_counter()
        shown = subject.append(f"{APPENDED} #{n}")
        watch.wait(app, shown)
        append_s.append(time.perf_counter() - begin)
        store_s.append(subject.store_s)

    scroll_s: list[float] = []
    for _ in range(scrolls):
        begin = time.perf_counter()
        bar.setValue(bar.value() - bar.pageStep())
        watch.wait(app)
        scroll_s.append(time.perf_counter() - begin)

    result: dict[str, object] = {
        "subject": subject_name,
        "first_frame_s": first_frame,
        "rss_first_bytes": rss_first,
        "rss_end_bytes": rss_bytes() - rss0,
        "settled_s": settled,
        "append_s": append_s,
        "append_store_s": store_s,
        "scroll_s": scroll_s,
        "messages": store.count_messages(PEER),
    }
    subject.widget.close()
    store.close()
    return result


def main() -> None:
    """Entry point of `python3 -m bench.chat_proc`."""
    parser = argparse.ArgumentParser(prog="python3 -m bench.chat_proc")
    parser.add_argument("subject", choices=sorted(SUBJECTS))
    parser.add_argument("db", type=Path)
    parser.add_argument("--appends", type=int, default=20)
    parser.add_argument("--scrolls", type=int, default=20)
    args = parser.parse_args()
    result = measure(args.subject, args.db, appends=args.appends, scrolls=args.scrolls)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
