"""Seed 001 "Quick start", run verbatim (fixed handle, environment variables)
on a fresh emulator, so its names never collide with other tests."""

from __future__ import annotations

import os

import pytest

from inkbox import Inkbox, InkboxError, LoginPayload


def quick_start():
    # ---- the README's code, unchanged except for base_url ----
    with Inkbox(
        api_key=os.environ["INKBOX_API_KEY"],
        vault_key=os.environ.get("INKBOX_VAULT_KEY"),
        base_url=os.environ["INKBOX_BASE_URL"],  # the emulator instead of inkbox.ai
    ) as inkbox:
        # Create an agent identity with a linked mailbox
        identity = inkbox.create_identity("support-bot", display_name="Support Bot")
        identity.provision_phone_number()  # provisions a local number

        # Send email directly from the identity
        identity.send_email(
            to=["customer@example.com"],
            subject="Your order has shipped",
            body_text="Tracking number: 1Z999AA10123456784",
        )

        # Place an outbound call
        identity.place_call(
            to_number="+18005559999",
            client_websocket_url="wss://my-app.com/voice",
        )

        # Read inbox
        subjects = [message.subject for message in identity.iter_emails()]

        # List calls
        calls = identity.list_calls()

        # Access credentials (vault unlocked at construction)
        logins = [(login.name, login.payload.username) for login in identity.credentials.list_logins()]
        return identity, subjects, calls, logins


def test_quick_start_without_vault_key(private_emulator, monkeypatch):
    monkeypatch.setenv("INKBOX_API_KEY", private_emulator.admin_key)
    monkeypatch.setenv("INKBOX_BASE_URL", private_emulator.url)
    monkeypatch.delenv("INKBOX_VAULT_KEY", raising=False)
    # Everything up to the credentials works; credentials need an unlocked vault.
    with pytest.raises(InkboxError, match="Vault must be unlocked"):
        quick_start()
    with private_emulator.client() as inkbox:
        identity = inkbox.get_identity("support-bot")
        assert identity.email_address == "support-bot@inkboxmail.com"
        assert identity.display_name == "Support Bot"
        assert identity.phone_number is not None
        assert [m.subject for m in identity.iter_emails()] == ["Your order has shipped"]
        calls = identity.list_calls()
        assert [(c.remote_phone_number, c.direction) for c in calls] == [("+18005559999", "outbound")]
    outbox = private_emulator.outbox()
    assert [(e["subject"], e["to"]) for e in outbox] == [("Your order has shipped", ["customer@example.com"])]


@pytest.mark.needs("vault")
def test_quick_start_with_vault(private_emulator, monkeypatch):
    vault_key = "my-Vault-key-01!"
    with private_emulator.client() as admin:
        admin.vault.initialize(vault_key)
        admin.vault.unlock(vault_key).create_secret(
            "CRM Login", LoginPayload(username="bot@crm.com", password="s3cret")
        )
    monkeypatch.setenv("INKBOX_API_KEY", private_emulator.admin_key)
    monkeypatch.setenv("INKBOX_BASE_URL", private_emulator.url)
    monkeypatch.setenv("INKBOX_VAULT_KEY", vault_key)
    identity, subjects, calls, logins = quick_start()
    assert subjects == ["Your order has shipped"]
    assert len(calls) == 1
    assert logins == [("CRM Login", "bot@crm.com")]
