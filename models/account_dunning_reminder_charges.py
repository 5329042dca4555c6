# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from ..dunning_engine import references as engine_references
from ..dunning_engine import totals as engine_totals


class AccountDunningReminder(models.Model):
    """Late-payment charges of reminders: interest per item in its currency,
    fixed fees (taxed or not), recovery indemnity per invoice, and the entry
    that posts them at issue."""

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

    def _fixed_fee_taxed(self):
        """Fixed fee of the level with the taxes of the terms, if any."""
        self.ensure_one()
        fee = self.level_id.fee_amount
        taxes = self._fee_term().fee_tax_ids
        if not fee or not taxes:
            return fee
        return taxes.compute_all(
            fee, currency=self.currency_id, partner=self.partner_id
        )["total_included"]

    def _refresh_interest(self):
        """Recompute the interest of the escalated lines at the reminder date
        with the payments known now: a payment booked since the draft was made
        lowers the interest from its date."""
        for reminder in self:
            for line in reminder.line_ids.filtered("is_new_level"):
                values = line.move_line_id._dunning_interest_values(
                    line.level_id, reminder.date
                )
                # As superuser: see COMPUTED_LINE_FIELDS.
                line.sudo().write(values)

    def _charge_items(self):
        """Charges of the reminder, one dict each: the fixed fee of the level
        (taxes of the terms on it), the fee per invoice (recovery indemnity,
        outside VAT, on its own account) and the interest per currency of the
        items (outside VAT)."""
        self.ensure_one()
        term = self._fee_term()
        company_currency = self.currency_id
        new_lines = self.line_ids.filtered("is_new_level")
        no_tax = self.env["account.tax"]
        charges = []
        fixed = self.level_id.fee_amount
        if not company_currency.is_zero(fixed):
            charges.append(
                {
                    "kind": "fee",
                    "name": self.env._("Reminder fees %s", self.name),
                    "amount": fixed,
                    "currency": company_currency,
                    "account": term.fee_account_id,
                    "taxes": term.fee_tax_ids,
                }
            )
        indemnity = sum(new_lines.mapped("amount_fee_invoice"))
        if not company_currency.is_zero(indemnity):
            charges.append(
                {
                    "kind": "indemnity",
                    "name": self.env._(
                        "Fixed recovery indemnity %(name)s (%(count)s invoices)",
                        name=self.name,
                        count=len(new_lines.filtered("amount_fee_invoice")),
                    ),
                    "amount": indemnity,
                    "currency": company_currency,
                    "account": term.indemnity_account_id,
                    "taxes": no_tax,
                }
            )
        for currency, lines in new_lines.grouped("currency_id").items():
            amount = sum(lines.mapped("amount_interest"))
            if currency.is_zero(amount):
                continue
            charges.append(
                {
                    "kind": "interest",
                    "name": self.env._("Late-payment interest %s", self.name),
                    "amount": amount,
                    "currency": currency,
                    "account": term.interest_account_id,
                    "taxes": no_tax,
                }
            )
        return charges

    def _prepare_fee_move_vals(self, issue_date):
        """Values of the entry of the charges: a customer invoice in the fees
        invoice journal when the fees carry taxes, else a miscellaneous entry
        in the fees journal, with one receivable item per currency (interest
        stays in the currency of the invoices it is charged on)."""
        self.ensure_one()
        term = self._fee_term()
        charges = self._charge_items()
        company = self.company_id
        company_currency = self.currency_id
        label = self.env._("Reminder %s", self.name)
        due_date = issue_date + timedelta(days=self.level_id.payment_delay_days)
        values = {
            "company_id": company.id,
            "date": issue_date,
            "ref": label,
            "payment_reference": self._compute_fee_payment_reference(),
            "partner_id": self.partner_id.id,
        }
        if any(charge["taxes"] for charge in charges):
            # An invoice has one currency: interest in another currency is
            # converted at the issue date (its amount is kept in the label).
            return dict(
                values,
                move_type="out_invoice",
                journal_id=term.fee_invoice_journal_id.id,
                currency_id=company_currency.id,
                invoice_date=issue_date,
                invoice_payment_term_id=False,
                invoice_date_due=due_date,
                invoice_line_ids=[
                    fields.Command.create(
                        {
                            "name": charge["name"]
                            if charge["currency"] == company_currency
                            else f"{charge['name']} "
                            f"({format_amount(self.env, charge['amount'], charge['currency'])})",
                            "account_id": charge["account"].id,
                            "quantity": 1,
                            "price_unit": charge["currency"]._convert(
                                charge["amount"], company_currency, company, issue_date
                            ),
                            "tax_ids": [fields.Command.set(charge["taxes"].ids)],
                        }
                    )
                    for charge in charges
                ],
            )
        receivable = self.partner_id.with_company(company).property_account_receivable_id
        line_cmds = []
        per_currency = defaultdict(lambda: [0.0, 0.0])
        for charge in charges:
            currency = charge["currency"]
            balance = currency._convert(charge["amount"], company_currency, company, issue_date)
            per_currency[currency][0] += charge["amount"]
            per_currency[currency][1] += balance
            line_cmds.append(
                fields.Command.create(
                    {
                        "name": charge["name"],
                        "account_id": charge["account"].id,
                        "partner_id": self.partner_id.id,
                        "currency_id": currency.id,
                        "amount_currency": -charge["amount"],
                        "balance": -balance,
                    }
                )
            )
        for currency, (amount, balance) in per_currency.items():
            line_cmds.append(
                fields.Command.create(
                    {
                        "name": label,
                        "account_id": receivable.id,
                        "partner_id": self.partner_id.id,
                        "currency_id": currency.id,
                        "amount_currency": amount,
                        "balance": balance,
                        "date_maturity": due_date,
                    }
                )
            )
        return dict(
            values, move_type="entry", journal_id=term.journal_id.id, line_ids=line_cmds
        )

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

    def _check_fee_config(self):
        """Refuse to issue when fees or interest cannot be posted."""
        self.ensure_one()
        if not self._has_charges():
            return
        term = self._fee_term()
        charges = self._charge_items()
        invoiced = any(charge["taxes"] for charge in charges)
        missing = []
        if invoiced and not term.fee_invoice_journal_id:
            missing.append(self.env._("a fees invoice journal (the fees carry taxes)"))
        if not invoiced and not term.journal_id:
            missing.append(self.env._("a fees journal"))
        labels = {
            "fee": self.env._("a fees account"),
            "indemnity": self.env._("a recovery indemnity account"),
            "interest": self.env._("an interest account"),
        }
        for kind, label in labels.items():
            if any(c["kind"] == kind and not c["account"] for c in charges):
                missing.append(label)
        if missing:
            raise UserError(
                self.env._(
                    "Reminder %(name)s charges fees or interest, but the reminder "
                    "terms %(term)s are missing %(missing)s.",
                    name=self.name,
                    term=term.display_name,
                    missing=", ".join(missing),
                )
            )
        if not invoiced and term.journal_id.type == "sale":
            raise UserError(
                self.env._(
                    "Reminder %(name)s: its fees and interest carry no tax and are "
                    "posted as a miscellaneous entry, which cannot go in the sales "
                    "journal %(journal)s (it would break the numbering of the "
                    "invoices). Choose a general journal as fees journal of the "
                    "reminder terms %(term)s.",
                    name=self.name,
                    journal=term.journal_id.display_name,
                    term=term.display_name,
                )
            )

    def _compute_fee_payment_reference(self):
        """RF creditor reference built on the reminder number."""
        self.ensure_one()
        base = "".join(ch for ch in (self.name or "").upper() if ch.isalnum())
        return engine_references.rf_reference(base[-21:] or str(self.id))

    def _create_fee_move(self, issue_date):
        """Post the fees and interest of the reminder; return the entry."""
        self.ensure_one()
        if not self._has_charges():
            return self.env["account.move"]
        move = self.env["account.move"].create(self._prepare_fee_move_vals(issue_date))
        move.action_post()
        return move
