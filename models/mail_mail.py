# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging

from odoo import models

_logger = logging.getLogger(__name__)


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, failure_reason=False, failure_type=None
    ):
        """Reminders follow their emails: once the mail server accepted (or
        refused) a reminder email, the reminder becomes sent (or shows the
        failure). Read before super(), which may delete the sent emails."""
        reminder_ids = {
            mail.res_id
            for mail in self
            if mail.model == "account.dunning.reminder" and mail.res_id
        }
        result = super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
        if reminder_ids:
            reminders = (
                self.env["account.dunning.reminder"]
                .sudo()
                .browse(list(reminder_ids))
                .exists()
                .filtered("email_message_id")
            )
            try:
                # Never turn a delivered email into a failed one because the
                # reminder could not be updated.
                with self.env.cr.savepoint():
                    # The mail queue runs as OdooBot (English): the notes of
                    # each reminder in its company's language.
                    for company, company_reminders in reminders.grouped(
                        "company_id"
                    ).items():
                        lang = company.partner_id.lang
                        if lang:
                            company_reminders = company_reminders.with_context(lang=lang)
                        delivery = company_reminders.env["account.dunning.delivery"]
                        delivery._dunning_update_send_state(company_reminders)
            except Exception:  # pylint: disable=broad-except
                _logger.warning(
                    "Reminders %s: delivery status not updated", reminders.ids, exc_info=True
                )
        return result
