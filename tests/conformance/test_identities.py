"""Seed 001, "Identities" and "Identity visibility", through the official SDK.

Handles get a random suffix (handles are globally unique and the session
emulator is shared); everything else is the README's code.
"""

from __future__ import annotations

from uuid import UUID

import pytest

from inkbox import (
    AgentIdentity,
    AgentIdentitySummary,
    HandleUnavailableError,
    IdentityAccess,
    IdentityPhoneNumberCreateOptions,
    IdentityTunnelCreateOptions,
    InkboxAPIError,
    InkboxError,
    RedundantContactAccessGrantError,
    SmsStatus,
)


def test_create_identity_provisions_mailbox_and_tunnel(inkbox, handle):
    h = handle("sales-bot")
    identity = inkbox.create_identity(
        h,
        display_name="Sales Bot",
        description="Sales-outreach agent",
    )
    assert isinstance(identity, AgentIdentity)
    assert identity.agent_handle == h
    assert identity.display_name == "Sales Bot"
    assert identity.description == "Sales-outreach agent"
    assert identity.email_address == f"{h}@inkboxmail.com"
    assert identity.mailbox is not None
    assert identity.mailbox.email_address == identity.email_address
    assert identity.mailbox.sending_domain == "inkboxmail.com"
    assert identity.mailbox.agent_identity_id == identity.id
    assert identity.tunnel is not None
    assert identity.tunnel.public_host == f"{h}.localhost"
    assert identity.phone_number is None  # phone numbers stay opt-in
    assert identity.imessage_enabled is False

    phone = identity.provision_phone_number()  # provisions a local number
    assert phone is identity.phone_number
    assert phone.number.startswith("+1")
    assert phone.type == "local"
    assert phone.agent_identity_id == identity.id


def test_create_identity_defaults(inkbox, handle):
    h = handle("plain")
    identity = inkbox.create_identity(h)
    # display_name defaults server-side to the handle.
    assert identity.display_name == h
    assert identity.description is None
    assert identity.mailbox.filter_mode == "blacklist"


def test_create_identity_leading_at_and_uppercase_normalized(inkbox, handle):
    h = handle("norm")
    identity = inkbox.create_identity("@" + h)
    assert identity.agent_handle == h


def test_create_identity_with_passthrough_tunnel(inkbox, handle):
    h = handle("sales-bot-pt")
    identity = inkbox.create_identity(h, tunnel=IdentityTunnelCreateOptions(tls_mode="passthrough"))
    assert identity.tunnel is not None
    assert identity.tunnel.tls_mode == "passthrough"
    assert identity.tunnel.status == "awaiting_cert"


def test_create_identity_tunnel_as_dict_breaks_in_the_sdk(inkbox, handle):
    # The package README's Tunnels section shows
    #   inkbox.create_identity("my-app-pt", tunnel={"tls_mode": "passthrough"})
    # but 0.4.9 calls tunnel.to_wire() and fails before sending anything.
    with pytest.raises(AttributeError):
        inkbox.create_identity(handle("my-app-pt"), tunnel={"tls_mode": "passthrough"})


def test_create_identity_with_inline_phone_number(inkbox, handle):
    h = handle("inline-phone")
    identity = inkbox.create_identity(
        h,
        phone_number=IdentityPhoneNumberCreateOptions(
            state="NY",
            incoming_call_action="auto_accept",
            client_websocket_url="wss://my-app.example.com/voice",
        ),
    )
    phone = identity.phone_number
    assert phone is not None
    assert phone.number.startswith("+1")
    assert phone.state == "NY"
    assert phone.incoming_call_action == "auto_accept"
    assert phone.client_websocket_url == "wss://my-app.example.com/voice"
    assert phone.sms_status == SmsStatus.READY


def test_create_identity_with_imessage_and_mailbox_options(inkbox, handle):
    h = handle("opts")
    identity = inkbox.create_identity(h, imessage_enabled=True, sending_domain=None)
    assert identity.imessage_enabled is True
    # sending_domain=None forces the platform domain.
    assert identity.email_address == f"{h}@inkboxmail.com"


def test_create_identity_unknown_custom_domain_is_rejected(inkbox, handle):
    # README: inkbox.create_identity("sales-bot-2", sending_domain="mail.acme.com")
    # works only once the org has verified mail.acme.com; the emulator has none.
    with pytest.raises(InkboxAPIError) as err:
        inkbox.create_identity(handle("sales-bot-2"), sending_domain="mail.acme.com")
    assert 400 <= err.value.status_code < 500


def test_get_refresh_list(inkbox, handle):
    h = handle("sales-bot")
    created = inkbox.create_identity(h, display_name="Sales Bot")

    identity = inkbox.get_identity(h)
    assert identity.id == created.id
    assert identity.mailbox.id == created.mailbox.id
    assert identity.tunnel.id == created.tunnel.id
    assert identity.refresh() is identity  # re-fetch channels from API

    all_identities = inkbox.list_identities()
    assert all(isinstance(i, AgentIdentitySummary) for i in all_identities)
    mine = [i for i in all_identities if i.agent_handle == h]
    assert len(mine) == 1
    assert mine[0].id == created.id
    assert mine[0].email_address == created.email_address
    assert mine[0].organization_id == created._data.organization_id


def test_update_fields_and_null_semantics(inkbox, handle):
    h = handle("sales-bot")
    identity = inkbox.create_identity(h, display_name="Sales Bot", description="first")

    identity.update(status="paused")
    identity.update(display_name="New Name", description="New blurb")
    assert identity.display_name == "New Name"
    assert identity.description == "New blurb"

    # Omitting a kwarg leaves it untouched.
    identity.update(imessage_enabled=True)
    again = inkbox.get_identity(h)
    assert again.display_name == "New Name"
    assert again.description == "New blurb"
    assert again.imessage_enabled is True

    identity.update(description=None)  # clear
    assert identity.description is None
    assert inkbox.get_identity(h).description is None
    assert inkbox.get_identity(h).display_name == "New Name"

    identity.update(display_name=None)  # clear
    assert inkbox.get_identity(h).display_name is None

    identity.update(status="active")


def test_update_rejects_deleted_status_and_bad_values(inkbox, handle):
    identity = inkbox.create_identity(handle("upd"))
    with pytest.raises(InkboxAPIError) as err:
        identity.update(status="deleted")
    assert err.value.status_code == 422
    with pytest.raises(InkboxAPIError) as err:
        identity.update(imessage_filter_mode="sideways")
    assert err.value.status_code == 422


def test_rename_on_platform_domain_is_refused(inkbox, handle):
    # README: identity.update(new_handle="sales-bot-v2"). The handle is the
    # platform mailbox's local part, so the server refuses the rename (409),
    # which the SDK maps to HandleUnavailableError.
    h = handle("sales-bot")
    identity = inkbox.create_identity(h)
    with pytest.raises(HandleUnavailableError) as err:
        identity.update(new_handle=h + "-v2")
    assert err.value.status_code == 409
    assert inkbox.get_identity(h).agent_handle == h


def test_handle_collision_maps_to_handle_unavailable(inkbox, handle):
    h = handle("dup")
    inkbox.create_identity(h)
    with pytest.raises(HandleUnavailableError) as err:
        inkbox.create_identity(h)
    assert err.value.status_code == 409
    assert err.value.blocking_namespace in ("identities", "tunnels", "mail")


def test_invalid_handle_is_422(inkbox):
    with pytest.raises(InkboxAPIError) as err:
        inkbox.create_identity("No Spaces--Allowed")
    assert err.value.status_code == 422
    assert not isinstance(err.value, HandleUnavailableError)


def test_release_phone_number_then_delete(inkbox, handle):
    h = handle("sales-bot")
    identity = inkbox.create_identity(h)
    phone = identity.provision_phone_number()

    identity.release_phone_number()  # Release the phone number (vendor + local).
    assert identity.phone_number is None
    assert inkbox.get_identity(h).phone_number is None
    with pytest.raises(InkboxAPIError) as err:
        inkbox.phone_numbers.get(phone.id)
    assert err.value.status_code == 404
    with pytest.raises(InkboxError):
        identity.release_phone_number()  # SDK guard: no number any more

    mailbox_address = identity.email_address
    identity.delete()  # cascades to mailbox + tunnel + phone-number release
    with pytest.raises(InkboxAPIError) as err:
        inkbox.get_identity(h)
    assert err.value.status_code == 404
    with pytest.raises(InkboxAPIError) as err:
        inkbox.mailboxes.get(mailbox_address)
    assert err.value.status_code == 404
    assert h not in [i.agent_handle for i in inkbox.list_identities()]


def test_delete_cascades_phone_number(inkbox, handle):
    h = handle("cascade")
    identity = inkbox.create_identity(h)
    phone = identity.provision_phone_number()
    identity.delete()
    assert phone.id not in [n.id for n in inkbox.phone_numbers.list()]


def test_visibility_grants(inkbox, handle):
    identity = inkbox.create_identity(handle("sales-bot"))
    viewer = inkbox.create_identity(handle("support-bot"))

    # New identities are invisible to other agents.
    assert identity.list_access() == []

    grant = identity.grant_access(viewer.id)
    assert isinstance(grant, IdentityAccess)
    assert grant.target_identity_id == identity.id
    assert grant.viewer_identity_id == viewer.id
    assert [r.viewer_identity_id for r in identity.list_access()] == [viewer.id]

    # Already granted → 409 (not a HandleUnavailableError: grant is not wrapped).
    with pytest.raises(InkboxAPIError) as err:
        identity.grant_access(viewer.id)
    assert err.value.status_code == 409
    assert not isinstance(err.value, HandleUnavailableError)

    wildcard = identity.grant_access(None)
    assert wildcard.viewer_identity_id is None
    rules = identity.list_access()
    assert len(rules) == 1 and rules[0].viewer_identity_id is None

    # Granting one viewer on a wildcard target is redundant.
    with pytest.raises(RedundantContactAccessGrantError):
        identity.grant_access(viewer.id)

    # Revoking a viewer from a wildcard expands it into explicit rows.
    identity.revoke_access(viewer.id)
    rules = identity.list_access()
    assert all(r.viewer_identity_id is not None for r in rules)
    assert viewer.id not in [r.viewer_identity_id for r in rules]

    with pytest.raises(InkboxAPIError) as err:
        identity.revoke_access(viewer.id)
    assert err.value.status_code == 404

    with pytest.raises(InkboxAPIError) as err:
        identity.grant_access(identity.id)
    assert err.value.status_code == 422

    with pytest.raises(InkboxAPIError) as err:
        identity.grant_access(UUID(int=7))
    assert err.value.status_code == 404


def test_scoped_key_sees_granted_identities_only(inkbox, emulator, handle):
    agent = inkbox.create_identity(handle("agent"))
    target = inkbox.create_identity(handle("target"))
    hidden = inkbox.create_identity(handle("hidden"))
    key = inkbox.api_keys.create(label="agent key", scoped_identity_id=agent.id)
    target.grant_access(agent.id)

    with emulator.client(key.api_key) as scoped:
        visible = {i.agent_handle for i in scoped.list_identities()}
        assert agent.agent_handle in visible
        assert target.agent_handle in visible
        assert hidden.agent_handle not in visible
        assert scoped.get_identity(target.agent_handle).id == target.id
        with pytest.raises(InkboxAPIError) as err:
            scoped.get_identity(hidden.agent_handle)
        assert err.value.status_code in (403, 404)
        # Visibility rules are admin-only.
        with pytest.raises(InkboxAPIError) as err:
            scoped.get_identity(agent.agent_handle).list_access()
        assert err.value.status_code == 403


def test_admin_only_settings_refused_for_scoped_keys(inkbox, emulator, handle):
    identity = inkbox.create_identity(
        handle("scoped"),
        phone_number=IdentityPhoneNumberCreateOptions(
            incoming_call_action="webhook",
            incoming_call_webhook_url="https://example.com/calls",
        ),
    )
    assert identity.phone_number.incoming_call_action == "webhook"
    assert identity.phone_number.incoming_call_webhook_url == "https://example.com/calls"

    identity.update(imessage_filter_mode="whitelist")  # admin-only
    assert identity.imessage_filter_mode == "whitelist"

    key = inkbox.api_keys.create(label="scoped", scoped_identity_id=identity.id)
    with emulator.client(key.api_key) as scoped:
        me = scoped.get_identity(identity.agent_handle)
        with pytest.raises(InkboxAPIError) as err:
            me.update(imessage_filter_mode="blacklist")
        assert err.value.status_code == 403
        with pytest.raises(InkboxAPIError) as err:
            scoped.mailboxes.update(me.email_address, filter_mode="whitelist")
        assert err.value.status_code == 403
        with pytest.raises(InkboxAPIError) as err:
            scoped.phone_numbers.update(me.phone_number.id, filter_mode="whitelist")
        assert err.value.status_code == 403
        # Settings that are not admin-only work with the scoped key.
        me.update(display_name="Scoped Bot")
        assert me.display_name == "Scoped Bot"
        updated = scoped.phone_numbers.update(me.phone_number.id, incoming_call_action="auto_reject")
        assert updated.incoming_call_action == "auto_reject"
