# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models
from odoo.exceptions import AccessError, UserError

from ..dunning_engine import levels as engine_levels
from .account_move import DUNNING_READ_GROUPS

# The dunning state of a journal item: written by the module's own flows
# only (issue and cancel of a reminder, as superuser), never by hand nor by
# RPC, or the next run would restart at level 1 and charge the fees again.
DUNNING_ITEM_FIELDS = (
    "dunning_level_id",
    "dunning_level_number",
    "dunning_last_date",
    "dunning_fee_charged",
    "dunning_count",
)


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    dunning_level_id = fields.Many2one(
        "account.dunning.level",
        string="Reminder Level",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="Level of the last reminder issued for this item.",
        groups=DUNNING_READ_GROUPS,
    )
    dunning_level_number = fields.Integer(
        string="Reminder Level Number",
        copy=False,
        readonly=True,
        groups=DUNNING_READ_GROUPS,
    )
    dunning_last_date = fields.Date(
        string="Last Reminder Date",
        copy=False,
        readonly=True,
        groups=DUNNING_READ_GROUPS,
    )
    dunning_fee_charged = fields.Boolean(
        string="Fee per Invoice Charged",
        copy=False,
        readonly=True,
        help="The flat fee per invoice of the reminder terms was charged for "
        "this item.",
        groups=DUNNING_READ_GROUPS,
    )
    dunning_count = fields.Integer(
        string="Reminders Issued",
        copy=False,
        readonly=True,
        groups=DUNNING_READ_GROUPS,
    )

    def write(self, vals):
        self._dunning_check_item_fields(vals)
        return super().write(vals)

    def _dunning_check_item_fields(self, vals):
        """Refuse a direct write of the dunning state of journal items: only
        the module's flows change it, as superuser, with the reminder as
        evidence (and its message on the invoice)."""
        touched = [name for name in DUNNING_ITEM_FIELDS if name in vals]
        if touched and not self.env.su:
            raise UserError(
                self.env._(
                    "The reminder level of a journal item (%(fields)s) changes only "
                    "when a reminder is issued or cancelled.",
                    fields=", ".join(touched),
                )
            )

    def _dunning_check_user_fields(self, vals, names):
        """Only reminder users (and the module's flows) change who is reminded:
        the terms and the "No Reminders" flags of invoices and customers."""
        if self.env.su or not any(name in vals for name in names):
            return
        if not self.env.user.has_group("account_dunning_automation.group_dunning_user"):
            raise AccessError(
                self.env._(
                    "Only payment reminder users may change the reminder settings "
                    "of invoices and customers."
                )
            )

    def _dunning_open_receivable_domain(self, company, with_credits=False):
        """Open customer receivable items of ``company`` that reminders may list.

        Debit items (invoices) are the ones reminded; with ``with_credits``, the
        open credit items (credit notes, payments not yet matched) are included
        too, so that a reminder shows them and nets them from the total due.
        """
        return [
            ("company_id", "=", company.id),
            ("account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
            ("amount_residual", "!=" if with_credits else ">", 0.0),
        ]

    def _dunning_due_date(self):
        self.ensure_one()
        return self.date_maturity or self.date

    def _dunning_term(self):
        """Terms applying to this item: invoice override, customer, company."""
        self.ensure_one()
        move = self.move_id
        return move.dunning_term_id or self.partner_id.with_company(
            self.company_id
        )._get_dunning_term()

    def _dunning_engine_state(self):
        self.ensure_one()
        return engine_levels.LineState(
            due_date=self._dunning_due_date(),
            level_number=self.dunning_level_number,
            last_reminder_date=self.dunning_last_date or None,
            reminder_count=self.dunning_count,
        )
