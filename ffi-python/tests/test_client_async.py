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
            info = await client.whoami()
            assert isinstance(info, client.WhoamiApiKeyResponse)
            handle = f"async-{uuid.uuid4().hex[:8]}"
            identity = await client.create_identity(handle)
            # At runtime the shared class; statically the AsyncAgentIdentity
            # protocol (checked through ``object``: the two cannot intersect).
            runtime: object = identity
            assert isinstance(runtime, inkbox.AgentIdentity)
            sent = await identity.send_email(to=["ada@example.com"], subject="A", body_text="b")
            assert sent.subject == "A"
            address = identity.email_address
            assert address is not None
            for i in range(3):
                emulator.control(
                    "POST", "/_emulator/mail/inbound",
                    {"to": address, "from": "bob@example.com", "subject": f"a{i}", "body_text": "x"},
                )
            subjects = [m.subject async for m in client.messages.list(address, page_size=2)]
            assert {"a0", "a1", "a2"} <= set(subjects)
            unread = [m async for m in identity.iter_unread_emails()]
            await identity.mark_emails_read([m.id for m in unread])
            await identity.provision_phone_number()
            assert identity.phone_number is not None
            await identity.update(display_name="Async")
            assert identity.display_name == "Async"
            await identity.delete()
            try:
                await client.get_identity(handle)
            except InkboxAPIError as err:
                assert err.status_code == 404
            else:
                raise AssertionError("deleted identity still readable")

    asyncio.run(main())


def test_async_retry(emulator: EmulatorProcess) -> None:
    async def main() -> None:
        emulator.fault(count=1, status=503, retry_after=0, path_prefix="/api/whoami")
        async with AsyncInkbox(api_key=emulator.admin_key, base_url=emulator.url) as client:
            info = await client.whoami()
            assert info.organization_id == emulator.org_id

    asyncio.run(main())
