# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The thank-you email: sent once to a customer whose last reminder was
sent and who has nothing overdue left (charges included), with the template
of its terms.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError


class AccountDunningThanks(models.AbstractModel):
    _name = "account.dunning.thanks"
    _description = "Payment Reminder Thank-You"

    @api.model
    def _dunning_send_thanks(self, company=None, as_of=None, partners=None):
        """Send the thank-you email of the terms to each customer whose last
        reminder was sent and who has nothing overdue left: once per reminder,
        logged on the reminder and the customer. Returns the reminders thanked."""
        company = company or self.env.company
        as_of = as_of or fields.Date.context_today(self)
        domain = [
            ("company_id", "=", company.id),
            ("state", "=", "sent"),
            ("is_notice", "=", False),
            ("term_id.thank_you_template_id", "!=", False),
        ]
        if partners is not None:
            domain.append(("partner_id", "in", partners.commercial_partner_id.ids))
        reminder_model = self.env["account.dunning.reminder"]
        candidates = reminder_model.search(domain, order="issue_date desc, id desc")
        thanked = reminder_model.browse()
        seen = set()
        for reminder in candidates:
            if reminder.partner_id.id in seen:
                continue
            seen.add(reminder.partner_id.id)  # only the customer's last reminder
            if reminder.thanked_date or self._dunning_still_overdue(reminder, as_of):
                continue
            if reminder.partner_id.with_company(company).dunning_blocked:
                continue
            try:
                with self.env.cr.savepoint():
                    self._dunning_thank(reminder, as_of)
                thanked |= reminder
            except UserError as exc:
                reminder.message_post(
                    body=self.env._("Thank-you email not sent: %(error)s", error=exc.args[0])
                )
        return thanked

    @api.model
    def _dunning_still_overdue(self, reminder, as_of):
        """The customer still owes something the reminders claimed: an item
        overdue (invoices on hold included), or the charges of a reminder
        (fees, indemnity, interest) whatever their due date: a thank-you
        saying nothing is owed any more would forgive them by omission. Once
        waived by a decision (action_waive_charges), they are no longer open."""
        reminder.ensure_one()
        lines = self.env["account.dunning.contact.policy"]._dunning_open_lines(
            reminder.company_id, reminder.partner_id, include_blocked=True
        )
        return any(
            line.amount_residual > 0
            and (line._dunning_due_date() < as_of or line._dunning_is_charge_item())
            for line in lines
        )

    @api.model
    def _dunning_thank(self, reminder, as_of):
        reminder.ensure_one()
        self.env["account.dunning.send"]._check_email_recipients(reminder)
        template = reminder.term_id.thank_you_template_id
        reminder.env["mail.compose.message"].with_context(
            default_model=reminder._name,
            default_res_ids=reminder.ids,
            default_template_id=template.id,
            default_composition_mode="comment",
            default_email_layout_xmlid="mail.mail_notification_layout",
        ).create({})._action_send_mail()
        # As superuser: thanked_date is a lifecycle field (see LIFECYCLE_FIELDS),
        # set only here so that the customer is thanked once.
        reminder.sudo().thanked_date = as_of
        reminder.partner_id.sudo()._message_log(
            body=reminder.env._(
                "Thank-you email sent: nothing is overdue any more after reminder "
                "%(name)s.",
                name=reminder.name,
            )
        )
