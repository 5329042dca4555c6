# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from markupsafe import escape

from odoo import models
from odoo.tools.mail import generate_tracking_message_id

# Context key of the tracking notes waiting to be created in one batch.
COLLECT_KEY = "dunning_collect_tracking_logs"


class AccountDunningReminder(models.Model):
    """Tracking notes of many reminders created together.

    Issuing or sending a batch of reminders changes their tracked fields
    (state, dates) at once; Odoo then logs one note per reminder, one message
    creation each (a tenth of the time of a batch). The notes are the same,
    created in one go."""

    _inherit = "account.dunning.reminder"

    def _message_track(self, fields_iter, initial_values_dict):
        if len(self) < 2:
            return super()._message_track(fields_iter, initial_values_dict)
        collected = []
        tracking = super(
            AccountDunningReminder, self.with_context(**{COLLECT_KEY: collected})
        )._message_track(fields_iter, initial_values_dict)
        if collected:
            self._dunning_log_tracking(collected)
        return tracking

    def _message_log(self, **kwargs):
        collected = self.env.context.get(COLLECT_KEY)
        if collected is None or set(kwargs) - {"body", "author_id", "tracking_value_ids"}:
            return super()._message_log(**kwargs)
        self.ensure_one()
        collected.append((self.id, kwargs))
        return self.env["mail.message"]

    def _dunning_log_tracking(self, collected):
        """Create the tracking notes ``collected`` ([(reminder id, kwargs of
        _message_log)]) as _message_log_batch would one by one: internal
        notes of the current user (or the author set for the tracking)."""
        authors = {}
        values_list = []
        for res_id, kwargs in collected:
            author = kwargs.get("author_id")
            if author not in authors:
                author_id, email_from = self._message_compute_author(
                    author, None, raise_on_email=False
                )
                authors[author] = {
                    "author_id": author_id,
                    "email_from": email_from,
                    "reply_to": self.env["mail.thread"]._notify_get_reply_to(
                        default=email_from
                    )[False],
                }
            values_list.append(
                dict(
                    authors[author],
                    model=self._name,
                    res_id=res_id,
                    record_alias_domain_id=False,
                    record_company_id=False,
                    record_name=False,
                    attachment_ids=False,
                    message_type="notification",
                    is_internal=True,
                    subject=False,
                    subtype_id=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                    tracking_value_ids=kwargs.get("tracking_value_ids") or False,
                    email_add_signature=False,
                    message_id=generate_tracking_message_id("message-notify"),
                    partner_ids=False,
                    body=escape(kwargs.get("body") or ""),
                )
            )
        return self.sudo()._message_create(values_list)
