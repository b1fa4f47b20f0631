"""The asyncio client against the emulator."""

from __future__ import annotations

import asyncio
import uuid

import inkbox
from inkbox import AsyncInkbox, InkboxAPIError

from conftest import EmulatorProcess


def test_async_identity_mail_and_pages(emulator: EmulatorProcess) -> None:
    async def main() -> None:
        async with AsyncInkbox(api_key=emulator.admin_key, base_url=emulator.url) as client:
            info = await client.whoami()  # type: ignore[misc]
            assert isinstance(info, client.WhoamiApiKeyResponse)
            handle = f"async-{uuid.uuid4().hex[:8]}"
            identity = await client.create_identity(handle)  # type: ignore[misc]
            assert isinstance(identity, inkbox.AgentIdentity)
            sent = await identity.send_email(to=["ada@example.com"], subject="A", body_text="b")  # type: ignore[misc]
            assert sent.subject == "A"
            for i in range(3):
                emulator.control(
                    "POST", "/_emulator/mail/inbound",
                    {"to": identity.email_address, "from": "bob@example.com", "subject": f"a{i}", "body_text": "x"},
                )
            subjects = [m.subject async for m in client.messages.list(identity.email_address, page_size=2)]  # type: ignore[attr-defined, arg-type]
            assert {"a0", "a1", "a2"} <= set(subjects)
            unread = [m async for m in identity.iter_unread_emails()]  # type: ignore[attr-defined]
            await identity.mark_emails_read([m.id for m in unread])  # type: ignore[func-returns-value]
            await identity.provision_phone_number()  # type: ignore[misc]
            assert identity.phone_number is not None
            await identity.update(display_name="Async")  # type: ignore[func-returns-value]
            assert identity.display_name == "Async"
            await identity.delete()  # type: ignore[func-returns-value]
            try:
                await client.get_identity(handle)  # type: ignore[misc]
            except InkboxAPIError as err:
                assert err.status_code == 404
            else:
                raise AssertionError("deleted identity still readable")

    asyncio.run(main())


def test_async_retry(emulator: EmulatorProcess) -> None:
    async def main() -> None:
        emulator.fault(count=1, status=503, retry_after=0, path_prefix="/api/whoami")
        async with AsyncInkbox(api_key=emulator.admin_key, base_url=emulator.url) as client:
            info = await client.whoami()  # type: ignore[misc]
            assert info.organization_id == emulator.org_id

    asyncio.run(main())
