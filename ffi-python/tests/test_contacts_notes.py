"""Contacts and notes (official 0.4.9 surface) against the emulator, with the
blocking and the asyncio client."""

from __future__ import annotations

import asyncio
import datetime
import uuid

import pytest

import inkbox
from inkbox import (
    AsyncInkbox,
    Contact,
    ContactAccess,
    ContactDate,
    ContactEmail,
    ContactImportResult,
    ContactPhone,
    ContactWebsite,
    ContactAddress,
    Inkbox,
    InkboxAPIError,
    Note,
    NoteAccess,
    RedundantContactAccessGrantError,
)

from conftest import EmulatorProcess

VCARDS = (
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Grace Hopper\r\nN:Hopper;Grace;;;\r\n"
    "EMAIL;TYPE=work:grace@navy.example\r\nTEL:+15557654321\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:4.0\r\nEMAIL:nobody@example.com\r\nEND:VCARD\r\n"
)


def _handle(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_contacts_crud_lookup_access_vcards(emulator: EmulatorProcess) -> None:
    client = Inkbox(api_key=emulator.admin_key, base_url=emulator.url)
    agent = client.create_identity(_handle("cbook"))
    tag = uuid.uuid4().hex[:8]
    c = client.contacts.create(
        preferred_name=f"Ada {tag}",
        given_name="Ada",
        family_name="Lovelace",
        birthday=datetime.date(1815, 12, 10),
        emails=[ContactEmail("work", f"ada-{tag}@example.com", True)],
        phones=[ContactPhone(label="cell", value="+15551230001")],
        websites=[ContactWebsite(None, "https://ada.example")],
        dates=[ContactDate("anniversary", datetime.date(1835, 7, 8))],
        addresses=[ContactAddress(city="London", postal_code="W1")],
    )
    assert isinstance(c, Contact)
    assert c.birthday == datetime.date(1815, 12, 10)
    assert c.emails[0].value == f"ada-{tag}@example.com" and c.emails[0].is_primary
    assert c.phones[0].value == "+15551230001" and c.phones[0].label == "cell"
    assert c.websites[0].value == "https://ada.example"
    assert c.dates[0].value == datetime.date(1835, 7, 8)
    assert c.addresses[0].postal_code == "W1"
    assert [a.identity_id for a in c.access] == [None]  # the wildcard
    assert isinstance(c.created_at, datetime.datetime)

    assert client.contacts.get(c.id) == c
    assert c.id in [x.id for x in client.contacts.list(q=tag)]
    assert client.contacts.list(q=f"zz{tag}") == []
    found = client.contacts.lookup(email=f"ada-{tag}@example.com")
    assert [x.id for x in found] == [c.id]
    assert c.id in [x.id for x in client.contacts.lookup(phone_contains="5551230001")]
    with pytest.raises(ValueError):
        client.contacts.lookup()
    with pytest.raises(ValueError):
        client.contacts.lookup(email="a@b.c", phone="+15550000000")

    updated = client.contacts.update(c.id, job_title="Analyst", given_name=None)
    assert updated.job_title == "Analyst" and updated.given_name is None
    assert updated.family_name == "Lovelace"

    # Access: wildcard → redundant per-identity grant; explicit grants.
    with pytest.raises(RedundantContactAccessGrantError) as err:
        client.contacts.access.grant(c.id, identity_id=agent.id)
    assert err.value.status_code == 409 and err.value.error == "redundant_grant"
    private = client.contacts.create(preferred_name=f"Private {tag}", access_identity_ids=[])
    assert private.access == []
    g = client.contacts.access.grant(private.id, identity_id=agent.id)
    assert isinstance(g, ContactAccess) and g.identity_id == agent.id
    assert [a.identity_id for a in client.contacts.access.list(private.id)] == [agent.id]
    with pytest.raises(ValueError):
        client.contacts.access.grant(private.id, identity_id=agent.id, wildcard=True)
    client.contacts.access.revoke(private.id, agent.id)
    assert client.contacts.access.list(private.id) == []
    w = client.contacts.access.grant(private.id, wildcard=True)
    assert w.identity_id is None

    # Identity-scoped keys see only what they are granted.
    hidden = client.contacts.create(preferred_name=f"Hidden {tag}", access_identity_ids=[])
    key = client.api_keys.create(label="agent", scoped_identity_id=agent.id).api_key
    scoped = Inkbox(api_key=key, base_url=emulator.url)
    seen = {x.id for x in scoped.contacts.list(q=tag)}
    assert c.id in seen and hidden.id not in seen
    with pytest.raises(InkboxAPIError) as nf:
        scoped.contacts.get(hidden.id)
    assert nf.value.status_code == 404
    scoped.close()

    # vCards.
    text = client.contacts.vcards.export_vcard(c.id)
    assert text.startswith("BEGIN:VCARD") and f"ada-{tag}@example.com" in text and "FN:Ada" in text
    result = client.contacts.vcards.import_vcards(VCARDS)
    assert isinstance(result, ContactImportResult)
    assert (result.created_count, result.error_count) == (1, 1)
    assert len(result.created_ids) == 1 and result.errors[0].index == 1
    grace = client.contacts.get(result.created_ids[0])
    assert grace.family_name == "Hopper" and grace.phones[0].value == "+15557654321"
    with pytest.raises(InkboxAPIError) as empty:
        client.contacts.vcards.import_vcards(b"not a card")
    assert empty.value.status_code == 422

    client.contacts.delete(c.id)
    with pytest.raises(InkboxAPIError) as gone:
        client.contacts.get(c.id)
    assert gone.value.status_code == 404
    client.close()


def test_notes_crud_and_access(emulator: EmulatorProcess) -> None:
    client = Inkbox(api_key=emulator.admin_key, base_url=emulator.url)
    agent = client.create_identity(_handle("notes"))
    tag = uuid.uuid4().hex[:8]
    n = client.notes.create(body=f"# plan {tag}", title="Plan")
    assert isinstance(n, Note) and n.title == "Plan" and n.access == [] and n.status == "active"
    assert client.notes.get(n.id).body == f"# plan {tag}"
    assert n.id in [x.id for x in client.notes.list(q=tag)]
    cleared = client.notes.update(n.id, title=None)
    assert cleared.title is None and cleared.body == f"# plan {tag}"
    assert client.notes.update(n.id, body="v2").body == "v2"
    with pytest.raises(ValueError):
        client.notes.update(n.id, body=None)  # type: ignore[arg-type]

    key = client.api_keys.create(label="agent", scoped_identity_id=agent.id).api_key
    scoped = Inkbox(api_key=key, base_url=emulator.url)
    with pytest.raises(InkboxAPIError) as nf:
        scoped.notes.get(n.id)
    assert nf.value.status_code == 404
    g = client.notes.access.grant(n.id, identity_id=agent.id)
    assert isinstance(g, NoteAccess) and g.identity_id == agent.id
    assert scoped.notes.get(n.id).id == n.id
    assert [x.id for x in client.notes.list(identity_id=agent.id)] == [n.id]
    mine = scoped.notes.create(body="agent note")
    assert [a.identity_id for a in mine.access] == [agent.id]
    with pytest.raises(InkboxAPIError) as forbidden:
        scoped.notes.access.grant(mine.id, identity_id=agent.id)
    assert forbidden.value.status_code == 403
    scoped.close()
    client.notes.access.revoke(n.id, agent.id)
    assert client.notes.access.list(n.id) == []
    client.notes.delete(n.id)
    with pytest.raises(InkboxAPIError):
        client.notes.get(n.id)
    client.close()


def test_async_contacts_and_notes(emulator: EmulatorProcess) -> None:
    async def main() -> None:
        async with AsyncInkbox(api_key=emulator.admin_key, base_url=emulator.url) as client:
            agent = await client.create_identity(_handle("acbook"))
            tag = uuid.uuid4().hex[:8]
            c = await client.contacts.create(preferred_name=f"Async {tag}", access_identity_ids=[])
            assert (await client.contacts.get(c.id)).preferred_name == f"Async {tag}"
            assert [x.id for x in await client.contacts.list(q=tag)] == [c.id]
            assert (await client.contacts.update(c.id, notes="n")).notes == "n"
            assert (await client.contacts.lookup(email_domain="nowhere.example")) == []
            g = await client.contacts.access.grant(c.id, identity_id=agent.id)
            assert [a.id for a in await client.contacts.access.list(c.id)] == [g.id]
            await client.contacts.access.revoke(c.id, agent.id)
            assert "FN:Async" in await client.contacts.vcards.export_vcard(c.id)
            r = await client.contacts.vcards.import_vcards(VCARDS)
            assert r.created_count == 1
            await client.contacts.delete(c.id)
            n = await client.notes.create(body="async")
            assert (await client.notes.update(n.id, title="T")).title == "T"
            assert n.id in [x.id for x in await client.notes.list()]
            await client.notes.access.grant(n.id, identity_id=agent.id)
            assert len(await client.notes.access.list(n.id)) == 1
            await client.notes.access.revoke(n.id, agent.id)
            assert (await client.notes.get(n.id)).body == "async"
            await client.notes.delete(n.id)

    asyncio.run(main())


def test_contact_items_keep_official_names() -> None:
    p = ContactPhone("home", "+15550001111", True)
    assert (p.label, p.value, p.value_e164, p.is_primary) == ("home", "+15550001111", "+15550001111", True)
    assert p.to_wire() == {"label": "home", "value_e164": "+15550001111", "is_primary": True}
    a = ContactAddress(label="hq", postal_code="94107")
    assert a.postal_code == "94107" and a.to_wire() == {"label": "hq", "postal": "94107"}
    d = ContactDate("x", datetime.date(2020, 1, 2))
    assert d.to_wire() == {"label": "x", "date": "2020-01-02"}
    assert inkbox.ContactWebsite(None, "https://x.example").to_wire() == {"label": None, "url": "https://x.example"}
