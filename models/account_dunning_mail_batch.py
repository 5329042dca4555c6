# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The mail of many reminders at once (the batches of an automation): the
tracking notes of a batch created in one go, as Odoo would create them one
by one. The hooks of mail.thread that collect them (``_message_track``,
``_message_log``) and the reply-to asked once per batch stay on the
reminder (``account.dunning.reminder``).
"""

from markupsafe import escape

from odoo import api, models
from odoo.tools.mail import generate_tracking_message_id


class AccountDunningMailBatch(models.AbstractModel):
    _name = "account.dunning.mail.batch"
    _description = "Payment Reminder Mail Batch"

    @api.model
    def _dunning_log_tracking(self, reminders, collected):
        """Create the tracking notes ``collected`` ([(reminder id, kwargs of
        _message_log)]) as _message_log_batch would one by one: internal
        notes of the current user (or the author set for the tracking), then
        all their tracking values in one creation."""
        authors = {}
        values_list = []
        tracking_list = []
        for res_id, kwargs in collected:
            author = kwargs.get("author_id")
            if author not in authors:
                author_id, email_from = reminders._message_compute_author(
                    author, None, raise_on_email=False
                )
                authors[author] = {
                    "author_id": author_id,
                    "email_from": email_from,
                    "reply_to": reminders.env["mail.thread"]._notify_get_reply_to(
                        default=email_from
                    )[False],
                }
            values_list.append(
                dict(
                    authors[author],
                    model=reminders._name,
                    res_id=res_id,
                    record_alias_domain_id=False,
                    record_company_id=False,
                    record_name=False,
                    attachment_ids=False,
                    message_type="notification",
                    is_internal=True,
                    subject=False,
                    subtype_id=reminders.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                    email_add_signature=False,
                    message_id=generate_tracking_message_id("message-notify"),
                    partner_ids=False,
                    body=escape(kwargs.get("body") or ""),
                )
            )
            # [Command.create(values)] from _mail_track
            tracking_list.append(
                [command[2] for command in kwargs.get("tracking_value_ids") or []]
            )
        messages = reminders.sudo()._message_create(values_list)
        reminders.env["mail.tracking.value"].sudo().create(
            [
                dict(values, mail_message_id=message.id)
                for message, tracking in zip(messages, tracking_list, strict=True)
                for values in tracking
            ]
        )
        return messages
