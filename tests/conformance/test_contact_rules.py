"""Mail and phone contact rules (deprecated by the service, still in 0.4.9)
through the official SDK: CRUD, the 409 duplicate, admin-only update, the
org-wide lists, and rules + ``filter_mode`` applied to inbound texts."""

from __future__ import annotations

import pytest

from inkbox import (
    ContactRuleStatus,
    DuplicateContactRuleError,
    MailContactRule,
    MailRuleMatchType,
    PhoneContactRule,
    PhoneRuleMatchType,
)


def test_mail_contact_rules(inkbox, handle):
    identity = inkbox.create_identity(handle("mrules"))
    email = identity.mailbox.email_address
    rules = inkbox.mail_contact_rules
    block = rules.create(email, action="block", match_type="domain", match_target="spam.example")
    assert isinstance(block, MailContactRule)
    assert block.match_type == MailRuleMatchType.DOMAIN
    assert block.status == ContactRuleStatus.ACTIVE
    assert block.mailbox_id == identity.mailbox.id
    with pytest.raises(DuplicateContactRuleError) as dup:
        rules.create(email, action="allow", match_type="domain", match_target="spam.example")
    assert dup.value.existing_rule_id == block.id
    allow = rules.create(email, action="allow", match_type="exact_email", match_target="friend@example.com")
    assert [r.id for r in rules.list(email)] == [block.id, allow.id]
    assert [r.id for r in rules.list(email, match_type="exact_email")] == [allow.id]
    assert rules.get(email, block.id).id == block.id
    assert rules.update(email, block.id, status="paused").status == ContactRuleStatus.PAUSED
    assert {r.id for r in rules.list_all(mailbox_id=block.mailbox_id)} == {block.id, allow.id}
    rules.delete(email, allow.id)
    assert [r.id for r in rules.list(email)] == [block.id]


def test_phone_contact_rules_block_inbound_texts(inkbox, emulator, handle):
    identity = inkbox.create_identity(handle("prules"))
    number = identity.provision_phone_number()
    rules = inkbox.phone_contact_rules
    rule = rules.create(number.id, action="block", match_target="+15550001001")
    assert isinstance(rule, PhoneContactRule)
    assert rule.match_type == PhoneRuleMatchType.EXACT_NUMBER
    assert rule.phone_number_id == number.id
    with pytest.raises(DuplicateContactRuleError):
        rules.create(number.id, action="allow", match_target="+15550001001")
    assert [r.id for r in rules.list_all(phone_number_id=number.id)] == [rule.id]

    blocked = emulator.control("POST", "/_emulator/texts/inbound", {"to": number.number, "from": "+15550001001", "text": "x"})
    passed = emulator.control("POST", "/_emulator/texts/inbound", {"to": number.number, "from": "+15550001002", "text": "y"})
    assert (blocked["is_blocked"], passed["is_blocked"]) == (True, False)
    assert {str(t.id) for t in inkbox.texts.list(number.id, is_blocked=True)} == {blocked["id"]}

    rules.update(number.id, rule.id, status="paused")
    again = emulator.control("POST", "/_emulator/texts/inbound", {"to": number.number, "from": "+15550001001", "text": "z"})
    assert again["is_blocked"] is False
    rules.delete(number.id, rule.id)
    assert rules.list(number.id) == []
