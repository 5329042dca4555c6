# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

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
    "dunning_interest_date",
    "dunning_notice_count",
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
    dunning_interest_date = fields.Date(
        string="Interest Charged Until",
        copy=False,
        readonly=True,
        groups=DUNNING_READ_GROUPS,
        help="Date up to which late-payment interest was last charged on this "
        "item by an issued reminder: the next interest runs from the day after.",
    )

    dunning_notice_count = fields.Integer(
        string="Notices Before Due Date",
        copy=False,
        readonly=True,
        groups=DUNNING_READ_GROUPS,
        help="Courtesy notices sent before the due date among the reminders "
        "issued: not counted in the maximum number of reminders.",
    )

    def write(self, vals):
        self._dunning_check_item_fields(vals)
        return super().write(vals)

    def _dunning_write_state(self, vals):
        """Write the dunning state ``vals`` (DUNNING_ITEM_FIELDS only) of
        these journal items, as write() would store it, in one query.

        Why not write(): the write of journal items checks and synchronises
        their entries (balance, lock dates, taxes and payment terms of the
        invoice: the debit and credit of every line recomputed), a third of
        the time of issuing a batch, for fields of this module that no check
        of the entries reads and that no stored field depends on. The
        columns, the log columns, the cache and the fields depending on them
        (the invoice's last reminder) end as write() leaves them."""
        if not self:
            return True
        if set(vals) - set(DUNNING_ITEM_FIELDS):
            # a programming error, not a user's
            raise ValueError(f"Not reminder state fields: {set(vals) - set(DUNNING_ITEM_FIELDS)}")
        self._dunning_check_item_fields(vals)
        fields_written = [self._fields[name] for name in vals]
        # what the records held before (pending writes included)
        self.flush_recordset(list(vals))
        self.modified(list(vals), before=True)
        now = self.env.cr.now()
        self.env.cr.execute(
            SQL(
                "UPDATE account_move_line SET %s, write_uid = %s, write_date = %s WHERE id IN %s",
                SQL(", ").join(
                    SQL(
                        "%s = %s",
                        SQL.identifier(field.name),
                        field.convert_to_column(vals[field.name], self),
                    )
                    for field in fields_written
                ),
                self.env.uid,
                now,
                tuple(self.ids),
            )
        )
        cache = self.env.cache
        for field in fields_written:
            value = field.convert_to_cache(vals[field.name], self)
            cache.update(self, field, [value] * len(self))
        cache.update(self, self._fields["write_uid"], [self.env.uid] * len(self))
        cache.update(self, self._fields["write_date"], [now] * len(self))
        self.modified(list(vals))
        return True

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

    @api.model
    def _dunning_partners_domain(self, partners):
        """``("partner_id", "child_of", partners)`` with the contacts read
        first (archived ones included, as child_of does): the search of the
        items then uses the index on partner_id, where child_of is a subquery
        the database joins against every receivable item of the company
        (40 ms a batch at 1,000 invoices, more as the ledger grows)."""
        # Per customer for a batch of an automation run (its lock, creation
        # and issue ask for the same customers), read again otherwise.
        cache = self.env.context.get("dunning_partner_families")
        if cache is None:
            cache = {}
        missing = [partner_id for partner_id in partners.ids if partner_id not in cache]
        if missing:
            # The contacts at every depth in one query (child_of searches
            # them level by level: res.partner keeps no parent_path).
            self.env["res.partner"].flush_model(["parent_id"])
            self.env.cr.execute(
                SQL(
                    """
                    WITH RECURSIVE family(root, id) AS (
                        SELECT id, id FROM res_partner WHERE id IN %s
                        UNION
                        SELECT family.root, contact.id
                          FROM res_partner contact
                          JOIN family ON contact.parent_id = family.id
                    )
                    SELECT root, id FROM family
                    """,
                    tuple(missing),
                )
            )
            for partner_id in missing:
                cache[partner_id] = []
            for root, contact_id in self.env.cr.fetchall():
                cache[root].append(contact_id)
        return [("partner_id", "in", [i for p in partners.ids for i in cache[p]])]

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

    # ------------------------------------------------------------------
    # Late-payment charges
    # ------------------------------------------------------------------

    def _dunning_is_charge_item(self):
        """The item belongs to an entry of fees and interest posted by a
        reminder: it never bears interest (no interest on interest) nor the
        fee per invoice."""
        self.ensure_one()
        # The reminder that posts its charges entry marks it (see
        # action_issue): a field read with the other items, where a search per
        # item cost one query per invoice of every reminder.
        return bool(self.move_id.sudo().dunning_charge_reminder_id)

    def _dunning_charges_fee_per_invoice(self):
        """The fee per invoice (recovery indemnity) is charged once per
        invoice: only on customer invoices, never on a fees entry."""
        self.ensure_one()
        return (
            not self.dunning_fee_charged
            and self.move_id.move_type == "out_invoice"
            and not self._dunning_is_charge_item()
        )

    def _dunning_interest_payments(self):
        """``(date, amount)`` of what was paid on the item, in its currency:
        each payment or credit note reduces the amount bearing interest from
        the later of its date and the invoice's."""
        self.ensure_one()
        return [
            (partial.max_date, partial.debit_amount_currency)
            for partial in self.matched_credit_ids
        ]

    def _dunning_interest_values(self, level, as_of):
        """Late-payment interest of this item at ``level`` up to ``as_of``, as
        values of a reminder line: in the item's currency, on the amount open
        each day, from the day after the due date (or the date up to which
        interest was last charged), with the rates and period applied."""
        self.ensure_one()
        values = {
            "amount_interest": 0.0,
            "amount_interest_company": 0.0,
            "interest_date_from": False,
            "interest_date_to": False,
            "interest_rate_text": False,
            "interest_description": False,
            "previous_interest_date": self.dunning_interest_date,
        }
        if (
            not level
            or not level._has_interest()
            or self.amount_currency <= 0
            or self._dunning_is_charge_item()
        ):
            return values
        result = level._compute_late_interest(
            self.amount_currency,
            self.dunning_interest_date or self._dunning_due_date(),
            as_of,
            self._dunning_interest_payments(),
            self.currency_id,
        )
        if not result.periods:
            return values
        amount = float(result.amount)
        # described in the customer's language, as printed on the letter
        level = level.with_context(
            lang=self.partner_id.commercial_partner_id.lang or self.env.lang
        )
        values.update(
            {
                "amount_interest": amount,
                "amount_interest_company": self.currency_id._convert(
                    amount, self.company_currency_id, self.company_id, as_of
                ),
                "interest_date_from": result.date_from,
                "interest_date_to": result.date_to,
                "interest_rate_text": ", ".join(
                    level._format_rate(rate) for rate in result.rates
                ),
                "interest_description": level._describe_interest(result),
            }
        )
        return values

    def _dunning_engine_state(self):
        self.ensure_one()
        return engine_levels.LineState(
            due_date=self._dunning_due_date(),
            level_number=self.dunning_level_number,
            last_reminder_date=self.dunning_last_date or None,
            reminder_count=self.dunning_count,
            notice_count=self.dunning_notice_count,
        )
