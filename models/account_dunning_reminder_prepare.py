# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_date

from ..dunning_engine import bounds as engine_bounds

from .account_dunning_reminder import DRAFT_UNIQUE_INDEX


class AccountDunningReminder(models.Model):
    """Which open items make the reminders: the open receivable items of the
    customers, one reminder per customer and currency (one draft per
    customer, company and currency, kept by the database). The values of the
    lines are prepared by the line model
    (account.dunning.reminder.line._prepare_lines_vals)."""

    _inherit = "account.dunning.reminder"

    def _auto_init(self):
        super()._auto_init()
        # One draft per customer, company and currency, whoever creates it:
        # two users (or a user and an automation) creating reminders at the
        # same moment cannot both add a draft, the second one is refused by
        # the database.
        cr = self.env.cr
        if tools.index_exists(cr, DRAFT_UNIQUE_INDEX):
            return
        # Databases from before one reminder per currency: each reminder takes
        # the currency of its lines (the company currency when it has none or
        # several; a draft listing several currencies is cancelled, the next
        # creation makes one draft per currency); the older drafts of one
        # customer and currency are cancelled, the newest one is kept.
        if tools.sql.table_exists(cr, "account_dunning_reminder_line"):
            self._auto_init_currency_from_lines()
        cr.execute("DROP INDEX IF EXISTS account_dunning_reminder_one_draft_per_partner")
        cr.execute(
            """
            CREATE UNIQUE INDEX account_dunning_reminder_one_draft_per_partner_currency
                ON account_dunning_reminder (partner_id, company_id, currency_id)
             WHERE state = 'draft'
            """
        )

    def _auto_init_currency_from_lines(self):
        """Upgrade from one reminder per customer: see _auto_init."""
        cr = self.env.cr
        cr.execute(
            """
            UPDATE account_dunning_reminder r
               SET currency_id = COALESCE(
                       (SELECT MIN(l.currency_id)
                          FROM account_dunning_reminder_line l
                         WHERE l.reminder_id = r.id
                        HAVING COUNT(DISTINCT l.currency_id) = 1),
                       (SELECT c.currency_id FROM res_company c
                         WHERE c.id = r.company_id),
                       r.currency_id)
            """
        )
        cr.execute(
            """
            UPDATE account_dunning_reminder r SET state = 'cancel'
             WHERE r.state = 'draft'
               AND ((SELECT COUNT(DISTINCT l.currency_id)
                       FROM account_dunning_reminder_line l
                      WHERE l.reminder_id = r.id) > 1
                    OR EXISTS (SELECT 1 FROM account_dunning_reminder o
                                WHERE o.state = 'draft' AND o.id > r.id
                                  AND o.partner_id = r.partner_id
                                  AND o.company_id = r.company_id
                                  AND o.currency_id = r.currency_id))
            """
        )

    @api.constrains("currency_id", "line_ids")
    def _check_lines_currency(self):
        """One reminder per customer and currency: its lines are all in its
        currency (its totals, fees and fees entry are)."""
        for reminder in self:
            others = reminder.line_ids.filtered(
                lambda l, reminder=reminder: l.currency_id != reminder.currency_id
            )
            if others:
                raise ValidationError(
                    self.env._(
                        "Reminder %(name)s is in %(currency)s: it cannot list items "
                        "in %(others)s. A customer owing in several currencies gets "
                        "one reminder per currency.",
                        name=reminder.name,
                        currency=reminder.currency_id.name,
                        others=", ".join(others.currency_id.mapped("name")),
                    )
                )


    @api.model
    def _dunning_open_lines(self, company, partners=None, include_blocked=False):
        """Open receivable items of ``company`` that can be reminded; with
        ``include_blocked``, the items on hold ("No Reminders" invoices) too."""
        move_line_model = self.env["account.move.line"]
        domain = move_line_model._dunning_open_receivable_domain(
            company, with_credits=True
        ) + [("partner_id", "!=", False)]
        if not include_blocked:
            domain.append(("move_id.dunning_blocked", "=", False))
        if partners is not None:
            domain += move_line_model._dunning_partners_domain(partners.commercial_partner_id)
        return move_line_model.search(domain, order="date_maturity, id")

    @api.model
    def _dunning_group_by_currency(self, move_lines):
        """The items of one customer per currency, in their order: each
        currency gets its own reminder (its credits, charges and items on hold
        included), so that what a customer owes in one currency is never
        netted against another one at an exchange rate."""
        return move_lines.grouped("currency_id")

    # ------------------------------------------------------------------
    # Numbers
    # ------------------------------------------------------------------

    @api.model
    def _dunning_assign_names(self, vals_list):
        """Number the new reminders of ``vals_list`` (name "/" or none) from
        the reminders' sequence of their company, as next_by_code would."""
        by_company = defaultdict(list)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                by_company[vals.get("company_id") or self.env.company.id].append(vals)
        for company_id, company_vals in by_company.items():
            company = self.env["res.company"].browse(company_id)
            names = self._dunning_next_names(company, len(company_vals))
            for vals, name in zip(company_vals, names, strict=True):
                vals["name"] = name or "/"

    @api.model
    def _dunning_next_names(self, company, count):
        """``count`` next numbers of the reminders' sequence of ``company``.
        Many at once (a batch of an automation) in one query: next_by_code
        costs three per reminder (the sequence, its year, the number)."""
        sequences = self.env["ir.sequence"].with_company(company)
        sequences.browse().check_access("read")
        sequence = sequences.search(
            [("code", "=", "account.dunning.reminder"), ("company_id", "in", [company.id, False])],
            order="company_id",
            limit=1,
        )
        if not sequence:
            return [False] * count
        if count == 1 or sequence.implementation != "standard":
            return [sequence._next() for _index in range(count)]
        pg_sequence = "ir_sequence_%03d" % sequence.id
        if sequence.use_date_range:
            # The year of the numbers, created when missing (as _next does).
            day = self.env.context.get("ir_sequence_date", fields.Date.today())
            date_range = self.env["ir.sequence.date_range"].search(
                [
                    ("sequence_id", "=", sequence.id),
                    ("date_from", "<=", day),
                    ("date_to", ">=", day),
                ],
                limit=1,
            ) or sequence._create_date_range_seq(day)
            pg_sequence = "ir_sequence_%03d_%03d" % (sequence.id, date_range.id)
            sequence = sequence.with_context(ir_sequence_date_range=date_range.date_from)
        self.env.cr.execute(
            SQL("SELECT nextval(%s) FROM generate_series(1, %s)", pg_sequence, count)
        )
        numbers = sorted(number for (number,) in self.env.cr.fetchall())
        return [sequence.get_next_char(number) for number in numbers]

    # ------------------------------------------------------------------
    # Lines computed by the module, dates in range
    # ------------------------------------------------------------------

    def _dunning_create_lines(self, line_values_list):
        """Create the lines the module computed (``_prepare_lines_vals``), one
        list of values per reminder of ``self``, in order.

        As superuser, after checking that the user may change the reminders:
        the computed values of a line (amounts, fees, levels) are refused to
        users (see the line's create), only the module sets them. Each item is
        checked to be the customer's, in the reminder's company and currency.
        """
        self._check_dunning_access()
        vals_list = []
        for reminder, line_values in zip(self, line_values_list, strict=True):
            reminder._check_items_of_reminder(
                self.env["account.move.line"].browse(
                    [values["move_line_id"] for values in line_values]
                )
            )
            vals_list += [dict(values, reminder_id=reminder.id) for values in line_values]
        lines = self.env["account.dunning.reminder.line"].sudo().create(vals_list)
        return lines.sudo(False)

    def _check_items_of_reminder(self, move_lines):
        """Refuse items that are not open receivables of the reminder's
        customer (or of its contacts), company and currency: a reminder
        never claims, charges or escalates another customer's invoice."""
        self.ensure_one()
        # As superuser: only reads, to compare with the reminder.
        partner = self.sudo().partner_id.commercial_partner_id
        strangers = move_lines.sudo().filtered(
            lambda l: l.company_id != self.company_id
            or l.currency_id != self.currency_id
            or l.partner_id.commercial_partner_id != partner
            or l.account_type != "asset_receivable"
            or l.parent_state != "posted"
        )
        if strangers:
            raise UserError(
                self.env._(
                    "Reminder %(name)s is for %(partner)s in %(currency)s: it "
                    "cannot list %(items)s (another customer, company or "
                    "currency, or not an open receivable).",
                    name=self.name,
                    partner=self.partner_id.display_name,
                    currency=self.currency_id.name,
                    items=", ".join(strangers.mapped("display_name")),
                )
            )

    @api.constrains("date")
    def _check_date_bounds(self):
        for reminder in self:
            self._check_reminder_date(reminder.date)

    @api.model
    def _check_reminder_date(self, as_of):
        """A reminder date within ten years back and a year ahead: beyond, the
        date arithmetic of the levels and interest overflows (9999-12-31)."""
        today = fields.Date.context_today(self)
        earliest = today - timedelta(days=engine_bounds.MAX_DAYS)
        latest = today + timedelta(days=engine_bounds.MAX_PROMISE_DAYS)
        if as_of and not earliest <= as_of <= latest:
            raise UserError(
                self.env._(
                    "A reminder date must be between %(earliest)s and %(latest)s "
                    "(not %(date)s).",
                    earliest=format_date(self.env, earliest),
                    latest=format_date(self.env, latest),
                    date=format_date(self.env, as_of),
                )
            )
