# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import re

from odoo import api, models

from ..models.ir_actions_report import letter_ids_of_print_action

# Country code, check digits, then 11 to 30 letters or digits (ISO 13616).
IBAN_PATTERN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")


class ReportDunningReminder(models.AbstractModel):
    """Values of the reminder letter beyond the reminders themselves: the
    company's bank account the customer is asked to pay to, its IBAN in
    groups of four."""

    _name = "report.account_dunning_automation.report_dunning_reminder"
    _description = "Payment Reminder Letter"

    @api.model
    def _get_report_values(self, docids, data=None):
        # The "Print Letter" action's download names its reminders in its
        # context, not in the URL (see letter_ids_of_print_action).
        docids = docids or letter_ids_of_print_action(self.env, data)
        docs = self.env["account.dunning.reminder"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "account.dunning.reminder",
            "docs": docs,
            "data": data,
            "get_bank_account": self._get_bank_account,
            "format_iban": self._format_iban,
        }

    @api.model
    def _get_bank_account(self, reminder):
        """The company's bank account printed on the letter: the one the
        overdue invoices ask to be paid to, else the account of the company's
        first bank journal, else the company's first bank account."""
        invoices = reminder.line_ids.filtered(lambda l: l.line_type == "overdue").move_id
        bank = invoices.partner_bank_id[:1]
        if not bank:
            journal = self.env["account.journal"].search(
                [
                    *self.env["account.journal"]._check_company_domain(reminder.company_id),
                    ("type", "=", "bank"),
                    ("bank_account_id", "!=", False),
                ],
                limit=1,
            )
            bank = journal.bank_account_id or reminder.company_id.partner_id.bank_ids[:1]
        return bank

    @api.model
    def _format_iban(self, bank):
        """The IBAN of ``bank`` in groups of four characters, as printed on
        bank details; False when its number is not an IBAN (base_iban, which
        sets acc_type, is not a dependency: the number's shape decides)."""
        number = re.sub(r"\s", "", bank.acc_number or "").upper()
        if bank.acc_type != "iban" and not IBAN_PATTERN.match(number):
            return False
        return " ".join(number[i : i + 4] for i in range(0, len(number), 4))
