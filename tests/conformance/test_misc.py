"""Seed 001 "Whoami", API keys, org-level tunnels, and how HTTP errors reach
the caller through the official SDK's exception types."""

from __future__ import annotations

from uuid import UUID

import pytest

from inkbox import (
    AUTH_SUBTYPE_API_KEY_ADMIN_SCOPED,
    AUTH_SUBTYPE_API_KEY_AGENT_SCOPED_CLAIMED,
    ApiKeyStatus,
    CreatedApiKey,
    HandleUnavailableError,
    Inkbox,
    InkboxAPIError,
    Tunnel,
    WhoamiApiKeyResponse,
    WhoamiJwtResponse,
)


def test_whoami_admin_key(inkbox, emulator):
    # Check the authenticated caller's identity
    info = inkbox.whoami()
    assert info.auth_type == "api_key"
    assert info.organization_id == emulator.org_id
    # README: `isinstance(info, inkbox.WhoamiApiKeyResponse)` with `inkbox` being
    # the client instance; the class lives on the package, not the client.
    assert not hasattr(inkbox, "WhoamiApiKeyResponse")
    assert isinstance(info, WhoamiApiKeyResponse)
    assert not isinstance(info, WhoamiJwtResponse)
    assert info.auth_subtype == AUTH_SUBTYPE_API_KEY_ADMIN_SCOPED
    assert info.key_id


def test_api_keys_scoped(inkbox, emulator, handle):
    identity = inkbox.create_identity(handle("keyed"))
    created = inkbox.api_keys.create(
        label="agent key", description="for the agent", scoped_identity_id=identity.id
    )
    assert isinstance(created, CreatedApiKey)
    assert created.api_key.startswith("ApiKey_")
    rec = created.record
    assert rec.label == "agent key"
    assert rec.description == "for the agent"
    assert rec.scoped_identity_id == identity.id
    assert rec.status == ApiKeyStatus.ACTIVE
    assert created.api_key.endswith(rec.last4)
    assert rec.organization_id == emulator.org_id

    with Inkbox(api_key=created.api_key, base_url=emulator.url) as scoped:
        me = scoped.whoami()
        assert isinstance(me, WhoamiApiKeyResponse)
        assert me.auth_subtype == AUTH_SUBTYPE_API_KEY_AGENT_SCOPED_CLAIMED
        assert me.label == "agent key"
        # Scoped keys cannot mint keys.
        with pytest.raises(InkboxAPIError) as err:
            scoped.api_keys.create(label="nope", scoped_identity_id=identity.id)
        assert err.value.status_code == 403

    # Admin-scoped callers must pass scoped_identity_id.
    with pytest.raises(InkboxAPIError) as err:
        inkbox.api_keys.create(label="another admin")
    assert err.value.status_code == 403

    # Deleting the identity revokes its scoped keys.
    identity.delete()
    with Inkbox(api_key=created.api_key, base_url=emulator.url) as revoked:
        with pytest.raises(InkboxAPIError) as err:
            revoked.whoami()
        assert err.value.status_code == 401


def test_bad_api_key_is_401(emulator):
    with Inkbox(api_key="ApiKey_not-a-real-key", base_url=emulator.url) as bad:
        with pytest.raises(InkboxAPIError) as err:
            bad.list_identities()
    assert err.value.status_code == 401


def test_tunnels_read(inkbox, handle):
    identity = inkbox.create_identity(handle("tunnel"))
    tunnels = inkbox.tunnels.list()
    assert all(isinstance(t, Tunnel) for t in tunnels)
    assert identity.tunnel.id in [t.id for t in tunnels]
    t = inkbox.tunnels.get(identity.tunnel.id)
    assert t.tunnel_name == identity.agent_handle
    assert t.public_host == f"{identity.agent_handle}.localhost"
    assert t.tls_mode == "edge"
    assert t.status == "active"


@pytest.mark.needs("tunnels")
def test_tunnel_update_metadata(inkbox, handle):
    identity = inkbox.create_identity(handle("tunnel-meta"))
    updated = inkbox.tunnels.update(identity.tunnel.id, metadata={"team": "gtm"})
    assert updated.metadata == {"team": "gtm"}
    assert inkbox.tunnels.get(identity.tunnel.id).metadata == {"team": "gtm"}


def test_error_mapping(inkbox, handle):
    # 404 → InkboxAPIError with the server's detail string.
    with pytest.raises(InkboxAPIError) as err:
        inkbox.get_identity(handle("missing"))
    assert err.value.status_code == 404
    assert isinstance(err.value.detail, str) and err.value.detail
    assert str(err.value).startswith("HTTP 404: ")

    with pytest.raises(InkboxAPIError) as err:
        inkbox.mailboxes.get("nobody@inkboxmail.com")
    assert err.value.status_code == 404
    with pytest.raises(InkboxAPIError) as err:
        inkbox.phone_numbers.get(UUID(int=1))
    assert err.value.status_code == 404

    # 409 on identities → HandleUnavailableError (a subclass of InkboxAPIError).
    h = handle("taken")
    inkbox.create_identity(h)
    with pytest.raises(HandleUnavailableError) as err:
        inkbox.create_identity(h)
    assert isinstance(err.value, InkboxAPIError)
    assert err.value.status_code == 409

    # 422 → InkboxAPIError carrying the validation detail.
    with pytest.raises(InkboxAPIError) as err:
        list(inkbox.messages.list(inkbox.get_identity(h).email_address, page_size=101))
    assert err.value.status_code == 422
    assert err.value.detail
    with pytest.raises(InkboxAPIError) as err:
        inkbox.get_identity(h).send_email(to=[], subject="no recipients", body_text="x")
    assert err.value.status_code == 422


def test_injected_fault_reaches_the_caller(inkbox, emulator):
    emulator.control("POST", "/_emulator/faults", {"status": 503, "path_prefix": "/api/v1/identities"})
    with pytest.raises(InkboxAPIError) as err:
        inkbox.list_identities()
    assert err.value.status_code == 503
    inkbox.list_identities()  # the fault is consumed
