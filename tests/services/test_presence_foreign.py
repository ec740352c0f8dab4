"""A reg-event document about another address is not the buddy's devices.

RFC 3680 5: each <registration> names its address of record. A notifier (or
someone forging NOTIFYs in the dialog) that reports another user's
registration inside joe's subscription must not make joe look online, nor
show that user's devices as joe's.
"""

from __future__ import annotations

import asyncio

from softphone.services.presence import BuddyStatus
from tests.services.notifier import Notifier, reginfo
from tests.services.test_presence import JOE, make_watcher, subscribed

MALLORY_PHONE = "sip:mallory@203.0.113.66:5060"
JOE_PHONE = "sip:joe@192.0.2.10:5060"


def two_registrations(version: int) -> str:
    joe = reginfo(JOE, [("j", "active", "registered", JOE_PHONE)], version=version)
    mallory = reginfo("sip:mallory@example.test", [("m", "active", "registered", MALLORY_PHONE)])
    # Joe's document with mallory's <registration> put beside his.
    mallory_registration = mallory[mallory.index("<registration") : mallory.index("</reginfo>")]
    return joe.replace(
        "</reginfo>", mallory_registration.replace('id="r1"', 'id="r2"') + "</reginfo>"
    )


async def test_registration_of_another_address_is_ignored() -> None:
    notifier = await Notifier.start()
    watcher = await make_watcher(notifier)
    try:
        dialog = await subscribed(watcher, notifier)
        other = reginfo("sip:mallory@example.test", [("m", "active", "created", MALLORY_PHONE)])
        assert (await notifier.notify(dialog, body=other)).status == 200
        state = await watcher.wait_status(BuddyStatus.OFFLINE)
        assert state.devices == ()

        await notifier.notify(dialog, body=two_registrations(version=1))
        state = await watcher.wait_status(BuddyStatus.ONLINE)
        await asyncio.sleep(0.1)
        assert [d.uri for d in watcher.presence.state(JOE).devices] == [JOE_PHONE]
        assert all(change.contact.uri != MALLORY_PHONE for _, change in watcher.contacts)
    finally:
        await watcher.presence.stop(timeout=2.0)
        watcher.agent.close()
        notifier.close()
