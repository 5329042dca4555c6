# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from markupsafe import escape

from odoo import models
from odoo.tools.mail import generate_tracking_message_id

# Context key of the tracking notes waiting to be created in one batch.
COLLECT_KEY = "dunning_collect_tracking_logs"


class AccountDunningReminder(models.Model):
    """The mail of many reminders at once (the batches of an automation):
    what Odoo does once per message, done once per batch where the result is
    the same.

    - Issuing or sending a batch changes the tracked fields of its reminders
      (state, dates) together; Odoo logs one note per reminder, a message
      and its tracking values created one at a time. The same notes are
      created in one go.
    - Each reminder email asks for its reply-to address (a query of the
      aliases each time); it is asked once for the reminders of the batch.
    - A reminder email goes to customers: the browser notifications of
      users are looked for only when a recipient is a user.
    - A reminder's email is its own thread, not attached to the first note
      of its chatter (an internal note, never emailed): no search of that
      note for each email."""

    _inherit = "account.dunning.reminder"
    _mail_flat_thread = False

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
        notes of the current user (or the author set for the tracking), then
        all their tracking values in one creation."""
        authors = {}
        values_list = []
        tracking_list = []
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
        messages = self.sudo()._message_create(values_list)
        self.env["mail.tracking.value"].sudo().create(
            [
                dict(values, mail_message_id=message.id)
                for message, tracking in zip(messages, tracking_list, strict=True)
                for values in tracking
            ]
        )
        return messages

    # ------------------------------------------------------------------
    # Reply-to and notifications of the batch emails
    # ------------------------------------------------------------------

    def _notify_get_reply_to(self, default=None):
        """The reply-to addresses of the batch's reminders (context
        ``dunning_reply_to``: {"ids": [...], "values": {default: {id:
        address}}}), asked once per batch."""
        batch = self.env.context.get("dunning_reply_to")
        if not batch or not set(self.ids) <= set(batch["ids"]):
            return super()._notify_get_reply_to(default=default)
        values = batch["values"]
        if default not in values:
            values[default] = super(
                AccountDunningReminder, self.browse(batch["ids"])
            )._notify_get_reply_to(default=default)
        return {res_id: values[default][res_id] for res_id in self.ids}

    def _notify_thread_by_web_push(self, message, recipients_data, msg_vals=False, **kwargs):
        # Browser notifications are for users: customers without a user have
        # no device to notify, no search of their devices.
        if not any(recipient.get("uid") for recipient in recipients_data):
            return None
        return super()._notify_thread_by_web_push(
            message, recipients_data, msg_vals=msg_vals, **kwargs
        )
