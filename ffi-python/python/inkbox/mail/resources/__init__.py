from inkbox.mail.resources.contact_rules import MailContactRulesResource
from inkbox.mail.resources.domains import DomainsResource
from inkbox.mail.resources.mailboxes import MailboxesResource
from inkbox.mail.resources.messages import MessagesResource
from inkbox.mail.resources.threads import ThreadsResource

__all__ = ["DomainsResource", "MailContactRulesResource", "MailboxesResource", "MessagesResource", "ThreadsResource"]
