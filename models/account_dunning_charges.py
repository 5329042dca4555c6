# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Late-payment charges of a reminder, in its currency: the fee of its
level (fixed or percentage, taxes of the terms), the fee per invoice
(recovery indemnity) and the interest of its items; what its charges entry
lists. The entry itself is posted by the terms
(``account.dunning.term._post_charges``) when the reminder is issued.
Also: a paid charges entry is never reversed by a cancellation, and the
waiver of a customer's open charges.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount

from ..dunning_engine import references as engine_references


class AccountDunningCharges(models.AbstractModel):
    _name = "account.dunning.charges"
    _description = "Payment Reminder Charges"

    @api.model
    def _fixed_fee(self, reminder):
        """Fee of the level (fixed, or percentage of the net overdue amount
        within its bounds) before taxes, in the reminder's currency at the
        reminder date."""
        reminder.ensure_one()
        if not reminder.level_id:
            return 0.0
        return reminder.level_id._compute_reminder_fee(
            reminder.amount_overdue + reminder.amount_credit,
            reminder.currency_id,
            reminder.date or fields.Date.today(),
        )

    @api.model
    def _fixed_fee_taxed(self, reminder):
        """Fee of the level with the taxes of the terms, if any."""
        reminder.ensure_one()
        return reminder._fee_term()._fee_with_taxes(
            self._fixed_fee(reminder), reminder.currency_id, reminder.partner_id
        )

    @api.model
    def _set_fee(self, reminders):
        """Fees of the reminder: the fixed fee of its level (taxes of the
        terms included) and the fees per invoice of the escalated items."""
        # As superuser: the fees are set by the reminder, never by hand.
        for reminder in reminders.sudo():
            fee = self._fixed_fee_taxed(reminder) + sum(
                reminder.line_ids.filtered("is_new_level").mapped("amount_fee_invoice")
            )
            # Written when it changes only: each write recomputes the totals.
            if reminder.currency_id.compare_amounts(fee, reminder.amount_fee):
                reminder.amount_fee = fee
        return reminders

    @api.model
    def _refresh_interest(self, reminders):
        """Recompute the interest (and the fee per invoice) of the escalated
        lines at the reminder date with the payments known now: a payment
        booked since the draft was made lowers the interest from its date."""
        for reminder in reminders:
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

    @api.model
    def _charge_items(self, reminder):
        """Charges of the reminder, one dict each, in the reminder's currency:
        the fee of the level (taxes of the terms on it), the fee per invoice
        (recovery indemnity, outside VAT, on its own account) and the
        interest of the items (outside VAT)."""
        reminder.ensure_one()
        term = reminder._fee_term()
        currency = reminder.currency_id
        new_lines = reminder.line_ids.filtered("is_new_level")
        no_tax = reminder.env["account.tax"]
        charges = []
        fixed = self._fixed_fee(reminder)
        if not currency.is_zero(fixed):
            charges.append(
                {
                    "kind": "fee",
                    "name": reminder.env._("Reminder fees %s", reminder.name),
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
                    "name": reminder.env._(
                        "Fixed recovery indemnity %(name)s (%(count)s invoices)",
                        name=reminder.name,
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
                    "name": reminder.env._("Late-payment interest %s", reminder.name),
                    "amount": amount,
                    "currency": line_currency,
                    "account": term.interest_account_id,
                    "taxes": no_tax,
                }
            )
        return charges

    @api.model
    def _payment_reference(self, reminder):
        """RF creditor reference built on the reminder number."""
        reminder.ensure_one()
        base = "".join(ch for ch in (reminder.name or "").upper() if ch.isalnum())
        return engine_references.rf_reference(base[-21:] or str(reminder.id))

    @api.model
    def _check_fees_not_paid(self, reminder):
        """A reminder whose fees entry was paid (fully or partly) is not
        cancelled: reversing the entry would take the customer's payment off
        it. The fees are credited by a credit note instead."""
        reminder.ensure_one()
        receivable = reminder.sudo().move_id.line_ids.filtered(
            lambda l: l.account_type == "asset_receivable"
        )
        if (receivable.matched_debit_ids | receivable.matched_credit_ids) and not (
            reminder.move_id.reversal_move_ids.filtered(lambda m: m.state == "posted")
        ):
            raise UserError(
                reminder.env._(
                    "Reminder %(name)s cannot be cancelled: its fees entry %(entry)s "
                    "was paid (fully or partly) by the customer. Give the fees back "
                    "with a credit note or a refund instead.",
                    name=reminder.name,
                    entry=reminder.move_id.name,
                )
            )

    @api.model
    def _dunning_open_charge_lines(self, reminder):
        """Open items of the charges entries of the customer's reminders."""
        reminder.ensure_one()
        lines = self.env["account.dunning.contact.policy"]._dunning_open_lines(
            reminder.company_id, reminder.partner_id, include_blocked=True
        )
        return lines.filtered(lambda l: l.amount_residual > 0 and l._dunning_is_charge_item())

    @api.model
    def _waive_charges(self, reminder):
        """Waive the open charges of the customer (fees, indemnity, interest
        of its reminders): a decision of an accountant, logged on the
        reminder and the customer. Each charges entry is reversed (a credit
        note for a fees invoice) and reconciled with it; the thank-you can
        then go out. A charges entry already partly paid is refused: its
        rest is written off from the entry itself."""
        reminder.ensure_one()
        reminder._check_dunning_access()
        # Writing off receivables is an accounting decision: the caller's own
        # rights on entries are required (no sudo below).
        if not reminder.env.user.has_group("account_dunning_automation.group_dunning_manager"):
            raise AccessError(
                reminder.env._("Only an administrator of the payment reminders can waive charges.")
            )
        reminder.env["account.move"].check_access("create")
        lines = self._dunning_open_charge_lines(reminder)
        if not lines:
            raise UserError(
                reminder.env._(
                    "%(partner)s has no open charges to waive.",
                    partner=reminder.partner_id.display_name,
                )
            )
        moves = lines.move_id
        partly_paid = moves.filtered(
            lambda m: any(
                l.amount_residual != l.balance
                for l in m.line_ids
                if l.account_id.account_type == "asset_receivable"
            )
        )
        if partly_paid:
            raise UserError(
                reminder.env._(
                    "The charges %(entries)s are partly paid: write off their rest "
                    "from the entry itself.",
                    entries=", ".join(partly_paid.mapped("name")),
                )
            )
        amount = sum(lines.mapped("amount_residual"))
        today = fields.Date.context_today(reminder)
        reversals = moves._reverse_moves(
            [
                {
                    "date": today,
                    "ref": reminder.env._("Charges waived: %(ref)s", ref=move.ref or move.name),
                }
                for move in moves
            ],
            cancel=True,
        )
        note = reminder.env._(
            "Charges waived by %(user)s: %(entries)s (%(amount)s), reversed by "
            "%(reversals)s.",
            user=reminder.env.user.name,
            entries=", ".join(moves.mapped("name")),
            amount=format_amount(reminder.env, amount, reminder.company_id.currency_id),
            reversals=", ".join(reversals.mapped("name")),
        )
        reminder.message_post(body=note)
        reminder.partner_id._message_log(body=note)
        return True

    @api.model
    def _to_company_currency(self, reminder, amount):
        """``amount`` in the reminder's currency, in company currency at the
        reminder date."""
        reminder.ensure_one()
        company_currency = reminder.company_id.currency_id
        if not amount or not reminder.currency_id or reminder.currency_id == company_currency:
            return amount
        return reminder.currency_id._convert(
            amount, company_currency, reminder.company_id, reminder.date or fields.Date.today()
        )
