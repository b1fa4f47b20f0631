"""Mail and phone contact rules (official 0.4.9 surface, deprecated by the
service) against the emulator, with the blocking and the asyncio client:
every call warns with ``DeprecationWarning``; 409 duplicates raise
``DuplicateContactRuleError``; update/delete are admin-only."""

from __future__ import annotations

import asyncio
import datetime
import uuid

import pytest

import inkbox
from inkbox import (
    AsyncInkbox,
    ContactRuleStatus,
    DuplicateContactRuleError,
    Inkbox,
    InkboxAPIError,
    MailContactRule,
    MailRuleAction,
    MailRuleMatchType,
    PhoneContactRule,
    PhoneRuleAction,
    PhoneRuleMatchType,
)
from inkbox.mail.resources import MailContactRulesResource
from inkbox.phone.resources import PhoneContactRulesResource

from conftest import EmulatorProcess

ignore_deprecation = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _handle(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_names_are_exported_like_0_4_9() -> None:
    for name in [
        "ContactRuleStatus",
        "MailContactRule",
        "MailRuleMatchType",
        "PhoneContactRule",
        "PhoneRuleMatchType",
        "MailRuleAction",
        "PhoneRuleAction",
    ]:
        assert name in inkbox.__all__ and hasattr(inkbox, name), name
    assert [m.value for m in MailRuleMatchType] == ["exact_email", "domain"]
    assert [m.value for m in PhoneRuleMatchType] == ["exact_number"]
    assert [m.value for m in ContactRuleStatus] == ["active", "paused"]
    assert inkbox.phone.types.ContactRuleStatus is ContactRuleStatus
    client = Inkbox(api_key="k", base_url="http://127.0.0.1:9")
    assert isinstance(client.mail_contact_rules, MailContactRulesResource)
    assert isinstance(client.phone_contact_rules, PhoneContactRulesResource)
    assert "deprecated" in (MailContactRulesResource.__doc__ or "").lower()
    assert "deprecated" in (PhoneContactRulesResource.list.__doc__ or "").lower()
    client.close()


def test_every_call_warns(emulator: EmulatorProcess) -> None:
    client = Inkbox(api_key=emulator.admin_key, base_url=emulator.url)
    with pytest.warns(DeprecationWarning, match="mail contact rules"):
        client.mail_contact_rules.list_all()
    with pytest.warns(DeprecationWarning, match="phone contact rules") as record:
        client.phone_contact_rules.list_all()
    assert record[0].filename == __file__, "the warning points at the caller"
    client.close()


@ignore_deprecation
def test_mail_rules_sync(emulator: EmulatorProcess) -> None:
    client = Inkbox(api_key=emulator.admin_key, base_url=emulator.url)
    agent = client.create_identity(_handle("mrules"))
    email = agent.email_address
    assert email
    rules = client.mail_contact_rules

    block = rules.create(email, action=MailRuleAction.BLOCK, match_type="domain", match_target="spam.example")
    assert isinstance(block, MailContactRule)
    assert (block.action, block.match_type, block.status) == (
        MailRuleAction.BLOCK,
        MailRuleMatchType.DOMAIN,
        ContactRuleStatus.ACTIVE,
    )
    assert isinstance(block.created_at, datetime.datetime)
    allow = rules.create(
        email, action="allow", match_type=MailRuleMatchType.EXACT_EMAIL, match_target="friend@example.com"
    )
    with pytest.raises(DuplicateContactRuleError) as dup:
        rules.create(email, action="allow", match_type="domain", match_target="spam.example")
    assert dup.value.status_code == 409
    assert dup.value.existing_rule_id == block.id

    assert [r.id for r in rules.list(email)] == [block.id, allow.id]
    assert [r.id for r in rules.list(email, match_type=MailRuleMatchType.EXACT_EMAIL)] == [allow.id]
    assert [r.id for r in rules.list(email, limit=1, offset=1)] == [allow.id]
    assert rules.get(email, block.id) == block
    paused = rules.update(email, block.id, status=ContactRuleStatus.PAUSED)
    assert (paused.status, paused.action) == (ContactRuleStatus.PAUSED, MailRuleAction.BLOCK)
    assert rules.update(email, block.id, action="allow").action == MailRuleAction.ALLOW
    assert block.mailbox_id in {r.mailbox_id for r in rules.list_all(mailbox_id=block.mailbox_id)}
    assert {r.id for r in rules.list_all(mailbox_id=uuid.UUID(str(block.mailbox_id)))} == {block.id, allow.id}

    # Identity-scoped keys: read and create yes, update/delete/org list no (403).
    key = client.api_keys.create(label="agent", scoped_identity_id=agent.id).api_key
    scoped = Inkbox(api_key=key, base_url=emulator.url)
    assert scoped.mail_contact_rules.get(email, allow.id).id == allow.id
    for call in (
        lambda: scoped.mail_contact_rules.update(email, allow.id, action="block"),
        lambda: scoped.mail_contact_rules.delete(email, allow.id),
        lambda: scoped.mail_contact_rules.list_all(),
    ):
        with pytest.raises(InkboxAPIError) as e:
            call()
        assert e.value.status_code == 403
    scoped.close()

    assert rules.delete(email, allow.id) is None
    with pytest.raises(InkboxAPIError) as e:
        rules.get(email, allow.id)
    assert e.value.status_code == 404
    client.close()


@ignore_deprecation
def test_phone_rules_sync(emulator: EmulatorProcess) -> None:
    client = Inkbox(api_key=emulator.admin_key, base_url=emulator.url)
    agent = client.create_identity(_handle("prules"))
    number = agent.provision_phone_number()
    rules = client.phone_contact_rules

    rule = rules.create(number.id, action=PhoneRuleAction.BLOCK, match_target="+12025550101")
    assert isinstance(rule, PhoneContactRule)
    assert (rule.phone_number_id, rule.match_type, rule.status) == (
        number.id,
        PhoneRuleMatchType.EXACT_NUMBER,
        ContactRuleStatus.ACTIVE,
    )
    with pytest.raises(DuplicateContactRuleError) as dup:
        rules.create(uuid.UUID(str(number.id)), action="allow", match_target="+12025550101")
    assert dup.value.existing_rule_id == rule.id
    other = rules.create(number.id, action="allow", match_target="+12025550102", match_type="exact_number")
    assert [r.id for r in rules.list(number.id, action="allow")] == [other.id]
    assert rules.get(number.id, rule.id) == rule
    assert rules.update(number.id, rule.id, status="paused").status == ContactRuleStatus.PAUSED
    assert {r.id for r in rules.list_all(phone_number_id=number.id)} == {rule.id, other.id}
    rules.delete(number.id, other.id)
    assert [r.id for r in rules.list(number.id)] == [rule.id]
    with pytest.raises(ValueError):
        rules.create(number.id, action="block", match_target="5550001111")  # not E.164: refused by core
    client.close()


def test_rules_async(emulator: EmulatorProcess) -> None:
    async def main() -> None:
        async with AsyncInkbox(api_key=emulator.admin_key, base_url=emulator.url) as client:
            agent = await client.create_identity(_handle("arules"))
            number = await agent.provision_phone_number()
            email = agent.email_address
            assert email
            with pytest.warns(DeprecationWarning):
                rule = await client.mail_contact_rules.create(
                    email, action="block", match_type="exact_email", match_target="x@spam.example"
                )
            assert isinstance(rule, MailContactRule)
            with pytest.warns(DeprecationWarning), pytest.raises(DuplicateContactRuleError):
                await client.mail_contact_rules.create(
                    email, action="allow", match_type="exact_email", match_target="X@spam.example"
                )
            with pytest.warns(DeprecationWarning):
                assert [r.id for r in await client.mail_contact_rules.list(email)] == [rule.id]
            with pytest.warns(DeprecationWarning):
                prule = await client.phone_contact_rules.create(number.id, action="block", match_target="+12025550103")
            with pytest.warns(DeprecationWarning):
                assert (await client.phone_contact_rules.get(number.id, prule.id)).id == prule.id
            with pytest.warns(DeprecationWarning), pytest.raises(DuplicateContactRuleError):
                await client.phone_contact_rules.create(number.id, action="allow", match_target="+12025550103")
            with pytest.warns(DeprecationWarning):
                await client.phone_contact_rules.delete(number.id, prule.id)
            with pytest.warns(DeprecationWarning):
                assert await client.phone_contact_rules.list(number.id) == []

    asyncio.run(main())
