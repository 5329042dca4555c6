# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models, tools

from ..dunning_engine import references as engine_references
from ..dunning_engine import totals as engine_totals


class AccountDunningReminder(models.Model):
    """Late-payment charges of reminders, in the reminder's currency: interest
    per item, the fee of the level (fixed or percentage, taxed or not),
    recovery indemnity per invoice. Their entry is posted at issue by the
    terms (account.dunning.term._post_charges)."""

    _inherit = "account.dunning.reminder"

    @api.model
    def _dunning_net_overdue_by_currency(self, overdue, credit_lines):
        """Net overdue total of a customer per currency record: overdue items
        less open credits, in the items' own currency (never at historical
        company-currency rates)."""
        lines = overdue | credit_lines
        currencies = {line.currency_id.name: line.currency_id for line in lines}
        totals = engine_totals.totals_by_currency(
            [(line.currency_id.name, line.amount_residual_currency) for line in lines],
            digits={name: currency.decimal_places for name, currency in currencies.items()},
        )
        return {currencies[name]: float(total) for name, total in totals.items()}

    def _to_company_currency(self, amount):
        """``amount`` in the reminder's currency, in company currency at the
        reminder date."""
        self.ensure_one()
        company_currency = self.company_id.currency_id
        if not amount or not self.currency_id or self.currency_id == company_currency:
            return amount
        return self.currency_id._convert(
            amount, company_currency, self.company_id, self.date or fields.Date.today()
        )

    def _fixed_fee(self):
        """Fee of the level (fixed, or percentage of the net overdue amount
        within its bounds) before taxes, in the reminder's currency at the
        reminder date."""
        self.ensure_one()
        if not self.level_id:
            return 0.0
        return self.level_id._compute_reminder_fee(
            self.amount_overdue + self.amount_credit,
            self.currency_id,
            self.date or fields.Date.today(),
        )

    def _formal_notice_sentence(self):
        """The sentence of a formal notice that puts the customer on notice:
        the sum, the deadline and the consequence, in the context's language
        (the customer's when the letter is rendered)."""
        self.ensure_one()
        return self.env._(
            "We hereby put you on notice to pay us the sum of %(amount)s within "
            "%(days)s days of this letter, that is by %(date)s at the latest. "
            "Failing payment by that date, we will take legal action to recover "
            "our claim, without further notice, the costs of the proceedings "
            "being charged to you.",
            amount=tools.format_amount(self.env, self.amount_total, self.currency_id),
            days=self.level_id.payment_delay_days,
            date=tools.format_date(
                self.env, self.payment_due_date or self.date, date_format="long"
            ),
        )

    def _set_fee(self):
        """Fees of the reminder: the fixed fee of its level (taxes of the
        terms included) and the fees per invoice of the escalated items."""
        # As superuser: the fees are set by the reminder, never by hand.
        for reminder in self.sudo():
            fee = reminder._fixed_fee_taxed() + sum(
                reminder.line_ids.filtered("is_new_level").mapped("amount_fee_invoice")
            )
            # Written when it changes only: each write recomputes the totals.
            if reminder.currency_id.compare_amounts(fee, reminder.amount_fee):
                reminder.amount_fee = fee
        return self

    def _fixed_fee_taxed(self):
        """Fee of the level with the taxes of the terms, if any."""
        self.ensure_one()
        return self._fee_term()._fee_with_taxes(
            self._fixed_fee(), self.currency_id, self.partner_id
        )

    def _refresh_interest(self):
        """Recompute the interest (and the fee per invoice) of the escalated
        lines at the reminder date with the payments known now: a payment
        booked since the draft was made lowers the interest from its date."""
        for reminder in self:
            for line in reminder.line_ids.filtered("is_new_level"):
                values = line.move_line_id._dunning_interest_values(
                    line.level_id, reminder.date
                )
                # The fee per invoice too: what is posted is what the module
                # computes now, whatever the draft holds.
                values["amount_fee_invoice"] = line._dunning_fee_invoice(
                    line.move_line_id, line.level_id, reminder.date
                )
                # Only what changed (most often nothing): each write of a line
                # recomputes the totals of its reminder.
                changed = {
                    name: value
                    for name, value in values.items()
                    # compared as stored (amounts rounded to their currency)
                    if line._fields[name].convert_to_cache(value, line)
                    != line._fields[name].convert_to_cache(line[name], line)
                }
                if changed:
                    # As superuser: see COMPUTED_LINE_FIELDS.
                    line.sudo().write(changed)

    def _charge_items(self):
        """Charges of the reminder, one dict each, in the reminder's currency:
        the fee of the level (taxes of the terms on it), the fee per invoice
        (recovery indemnity, outside VAT, on its own account) and the
        interest of the items (outside VAT)."""
        self.ensure_one()
        term = self._fee_term()
        currency = self.currency_id
        new_lines = self.line_ids.filtered("is_new_level")
        no_tax = self.env["account.tax"]
        charges = []
        fixed = self._fixed_fee()
        if not currency.is_zero(fixed):
            charges.append(
                {
                    "kind": "fee",
                    "name": self.env._("Reminder fees %s", self.name),
                    "amount": fixed,
                    "currency": currency,
                    "account": term.fee_account_id,
                    "taxes": term.fee_tax_ids,
                }
            )
        indemnity = sum(new_lines.mapped("amount_fee_invoice"))
        if not currency.is_zero(indemnity):
            charges.append(
                {
                    "kind": "indemnity",
                    "name": self.env._(
                        "Fixed recovery indemnity %(name)s (%(count)s invoices)",
                        name=self.name,
                        count=len(new_lines.filtered("amount_fee_invoice")),
                    ),
                    "amount": indemnity,
                    "currency": currency,
                    "account": term.indemnity_account_id,
                    "taxes": no_tax,
                }
            )
        # per currency of the items: one, since one reminder per currency
        for line_currency, lines in new_lines.grouped("currency_id").items():
            amount = sum(lines.mapped("amount_interest"))
            if line_currency.is_zero(amount):
                continue
            charges.append(
                {
                    "kind": "interest",
                    "name": self.env._("Late-payment interest %s", self.name),
                    "amount": amount,
                    "currency": line_currency,
                    "account": term.interest_account_id,
                    "taxes": no_tax,
                }
            )
        return charges

    def _fee_term(self):
        self.ensure_one()
        return self.term_id or self.level_id.term_id

    def _has_charges(self):
        """The reminder charges fees or interest."""
        self.ensure_one()
        currency = self.currency_id
        return not (
            currency.is_zero(self.amount_fee) and currency.is_zero(self.amount_interest)
        )

    def _compute_fee_payment_reference(self):
        """RF creditor reference built on the reminder number."""
        self.ensure_one()
        base = "".join(ch for ch in (self.name or "").upper() if ch.isalnum())
        return engine_references.rf_reference(base[-21:] or str(self.id))
