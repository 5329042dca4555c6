# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from types import MappingProxyType

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL, float_repr

from ..dunning_engine import totals as engine_totals
from .dunning_numbers import LOG_COLUMNS, insert_rows

# What a line says was owed and reached: computed by the module from the
# journal item, never typed in (a reminder shows what the books say).
COMPUTED_LINE_FIELDS = (
    "move_line_id",
    "line_type",
    "date_due",
    "days_overdue",
    "currency_id",
    "amount_residual",
    "amount_residual_currency",
    "amount_fee_invoice",
    "amount_interest",
    "amount_interest_company",
    "interest_date_from",
    "interest_date_to",
    "interest_rate_text",
    "interest_description",
    "escalation",
    "explanation",
    "term_id",
    "level_id",
    "is_new_level",
    "previous_level_id",
    "previous_level_number",
    "previous_date",
    "previous_count",
    "previous_interest_date",
)
# Set by "Exclude" / "Include Again" only, which log the decision.
EXCLUSION_FIELDS = ("excluded", "exclusion_reason")
# Values of an excluded line: not escalated, not charged.
EXCLUDED_VALUES = MappingProxyType(
    {
        "is_new_level": False,
        "amount_fee_invoice": 0.0,
        "amount_interest": 0.0,
        "amount_interest_company": 0.0,
        "interest_date_from": False,
        "interest_date_to": False,
        "interest_rate_text": False,
        "interest_description": False,
        "escalation": "excluded",
    }
)


class AccountDunningReminderLine(models.Model):
    """One open receivable item listed on a reminder."""

    _name = "account.dunning.reminder.line"
    _description = "Payment Reminder Line"
    _order = "reminder_id, line_type desc, date_due, id"
    _check_company_auto = True

    reminder_id = fields.Many2one(
        "account.dunning.reminder",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="reminder_id.company_id", store=True, index=True, precompute=True
    )
    company_currency_id = fields.Many2one(
        string="Company Currency", related="company_id.currency_id"
    )
    state = fields.Selection(related="reminder_id.state")
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Journal Item",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        related="move_line_id.move_id",
        store=True,
        index=True,
    )
    invoice_date = fields.Date(related="move_id.invoice_date")
    ref = fields.Char(string="Reference", related="move_id.ref")
    line_type = fields.Selection(
        [
            ("overdue", "Overdue"),
            ("not_due", "Not Yet Due"),
            ("credit", "Credit"),
            ("blocked", "On Hold"),
            ("charge", "Charges Not Yet Paid"),
        ],
        string="Type",
        required=True,
        default="overdue",
    )
    date_due = fields.Date(string="Due Date")
    days_overdue = fields.Integer()
    currency_id = fields.Many2one("res.currency", required=True)
    amount_residual_currency = fields.Monetary(
        string="Open Amount", currency_field="currency_id"
    )
    amount_residual = fields.Monetary(
        string="Open Amount (Company Currency)", currency_field="company_currency_id"
    )
    amount_fee_invoice = fields.Monetary(
        string="Fee",
        currency_field="currency_id",
        help="Fee per invoice (recovery indemnity), in the invoice's currency "
        "at the reminder date.",
    )
    amount_interest = fields.Monetary(
        string="Interest",
        currency_field="currency_id",
        help="Late-payment interest of the item, in its currency.",
    )
    amount_interest_company = fields.Monetary(
        string="Interest (Company Currency)",
        currency_field="company_currency_id",
        help="Interest converted at the reminder date.",
    )
    interest_date_from = fields.Date(
        string="Interest From", help="First day of the interest charged."
    )
    interest_date_to = fields.Date(
        string="Interest To",
        help="Last day of the interest charged: issuing the reminder records it "
        "on the item, the next interest runs from the day after.",
    )
    interest_rate_text = fields.Char(
        string="Rate Applied", help="Annual rate(s) of the interest charged."
    )
    interest_description = fields.Char(
        string="Interest Details",
        help="Rates and periods of the interest charged, as printed on the letter.",
    )
    term_id = fields.Many2one("account.dunning.term", string="Reminder Terms")
    level_id = fields.Many2one("account.dunning.level")
    level_number = fields.Integer(string="Level No.", related="level_id.number")
    is_new_level = fields.Boolean(
        string="Escalated",
        help="This item reaches a new level with this reminder; issuing the "
        "reminder records that level on the item.",
    )
    escalation = fields.Selection(
        [
            ("escalated", "Escalated"),
            ("notice", "Notice before the due date"),
            ("held", "Escalated after the quiet period"),
            ("held_quiet", "Waiting for the quiet period"),
            ("last_level", "Brought to the last level"),
            ("waiting", "Waiting for its next level"),
            ("below_minimum", "Below the minimum amount"),
            ("exhausted", "All levels reached"),
            ("not_due", "Not yet due"),
            ("no_terms", "No reminder terms"),
            ("not_invoice", "Not an invoice"),
            ("charge", "Charges not yet paid"),
            ("credit", "Open credit"),
            ("blocked", "On hold"),
            ("excluded", "Excluded from this reminder"),
            ("manual", "Added by hand"),
            ("same_day", "Already reminded today"),
        ],
        string="Why",
        readonly=True,
        help="Why the item is (or is not) escalated by this reminder.",
    )
    explanation = fields.Char(readonly=True)
    excluded = fields.Boolean(
        readonly=True,
        copy=False,
        help="Left out of this reminder by the user: listed, but not escalated, "
        "not charged and not counted in the totals. Recomputing the draft keeps "
        "it out.",
    )
    exclusion_reason = fields.Char(readonly=True, copy=False)
    note = fields.Char(
        string="Note on the Letter",
        help="Printed under the item on the reminder letter (e.g. \"credit note "
        "on its way\"). Editable while the reminder is a draft.",
    )
    portal_url = fields.Char(
        string="Online Payment Link",
        compute="_compute_portal_url",
        help="Link to the invoice on the customer portal (with its access "
        "token), where the customer can see and pay it.",
    )
    # State of the item before this reminder, to undo an issued reminder and to
    # refuse issuing a reminder made stale by another one.
    previous_level_id = fields.Many2one("account.dunning.level")
    previous_level_number = fields.Integer()
    previous_date = fields.Date()
    previous_count = fields.Integer()
    previous_interest_date = fields.Date()

    def _compute_portal_url(self):
        # The tokens of all the invoices at once (see the method).
        self.move_id.filtered(
            lambda m: m.is_invoice(include_receipts=True) and m.state == "posted"
        ).sudo()._dunning_ensure_access_tokens()
        moves = self.env["account.move"]
        # Odoo's base URL is one system parameter unless a module (website)
        # gives each record its own: then it is asked per invoice.
        same_base_url = type(moves).get_base_url is models.BaseModel.get_base_url
        base_url = moves.get_base_url() if same_base_url else None
        for line in self:
            move = line.move_id
            if move and move.is_invoice(include_receipts=True) and move.state == "posted":
                # As superuser: the access token of the invoice is created on
                # the first link, whoever sends the reminder; the link itself
                # only opens this invoice.
                move = move.sudo()
                line.portal_url = (base_url or move.get_base_url()) + move.get_portal_url()
            else:
                line.portal_url = False

    # ------------------------------------------------------------------
    # Preparation of the lines from the open items of a customer
    # ------------------------------------------------------------------

    @api.model
    # One pass over the items of a customer keeps every decision together
    # (currency totals, terms, contact policy, explanation): many locals.
    def _prepare_lines_vals(  # pylint: disable=too-many-locals,too-many-statements
        self, move_lines, as_of, include_not_due=False, contact=None
    ):
        """Compute the lines of the reminder of one customer (and currency).

        Returns ``(line_values, has_new_level)``. A reminder is due for the
        customer when at least one item reaches a new level; the other overdue
        items are listed for the overview, the items not yet due only when
        asked (by the terms or by ``include_not_due``). Items on hold
        (disputed invoices, when they are asked for) are listed apart: never
        escalated, never counted in what is due. Only invoices and receipts
        escalate: the fees and interest entries of earlier reminders are
        listed as charges not yet paid, counted but never escalated.
        ``contact`` is the contact state of the customer
        (``account.dunning.contact.policy._dunning_contact_states``), which
        decides for each item (``_dunning_item_decision``): with its cap reached, escalating
        items go to the last level. Each line says why it is (or is not)
        escalated.
        """
        on_hold = move_lines.filtered(lambda l: l.move_id.dunning_blocked)
        move_lines -= on_hold
        credit_lines = move_lines.filtered(lambda l: l.amount_residual < 0)
        debits = move_lines - credit_lines
        charges = debits.filtered(lambda l: l.move_id.dunning_charge_reminder_id)
        debits -= charges
        overdue = debits.filtered(lambda l: l._dunning_due_date() < as_of)
        # Open credits (credit notes, unmatched payments) reduce what is owed,
        # per currency: the minimum amounts of the levels apply to the net
        # overdue total in the invoice's currency, and nobody is reminded who
        # owes nothing in a currency once the credits are deducted.
        net_overdue = self._dunning_net_overdue_by_currency(overdue, credit_lines)
        if all(total <= 0 for total in net_overdue.values()) and overdue == debits:
            # nothing overdue, and nothing coming (a notice before the due date)
            return [], False
        contact = contact or {}
        rules_cache = {}
        values = []
        has_new_level = False
        policy_model = self.env["account.dunning.contact.policy"]
        for line in debits:
            term = line._dunning_term()
            is_overdue = line._dunning_due_date() < as_of
            new_level, why = policy_model._dunning_item_decision(
                line,
                term,
                as_of,
                contact,
                net_overdue.get(line.currency_id, 0.0),
                rules_cache,
            )
            if new_level:
                has_new_level = True
                line_type = "overdue" if is_overdue else "not_due"
            elif is_overdue:
                line_type = "overdue"
            elif include_not_due or (term and term.include_not_due):
                line_type = "not_due"
                why = ("not_due", {})
            else:
                continue
            line_vals = self._prepare_line_vals(line, as_of, line_type, new_level, term)
            line_vals.update(self._dunning_explain(why, line, new_level))
            values.append(line_vals)
        for line_type, lines in (
            ("charge", charges),
            ("credit", credit_lines),
            ("blocked", on_hold),
        ):
            for line in lines:
                line_vals = self._prepare_line_vals(line, as_of, line_type, False, False)
                line_vals.update(self._dunning_explain((line_type, {}), line, False))
                values.append(line_vals)
        if contact.get("under_notice") and not (
            contact.get("decision") and contact["decision"].cap_reached
        ):
            values = self._dunning_explain_under_notice(values)
        return values, has_new_level

    @api.model
    def _dunning_explain_under_notice(self, line_values):
        """The explanation of the items brought to the last level because
        the customer is under formal notice (not because of the cap)."""
        for values in line_values:
            if values.get("escalation") == "last_level":
                level = self.env["account.dunning.level"].browse(values["level_id"])
                values["explanation"] = self.env._(
                    "Brought to the last level %(level)s: the customer already "
                    "received its formal notice, no friendly reminder follows it.",
                    level=level.name,
                )
        return line_values

    @api.model
    def _prepare_line_vals(self, move_line, as_of, line_type, new_level, term):
        """Values of the line of ``move_line`` on a reminder at ``as_of``."""
        due_date = move_line._dunning_due_date()
        return {
            "move_line_id": move_line.id,
            "line_type": line_type,
            "date_due": due_date,
            "days_overdue": (
                max(0, (as_of - due_date).days)
                if line_type in ("overdue", "blocked")
                else 0
            ),
            "amount_residual": move_line.amount_residual,
            "amount_residual_currency": move_line.amount_residual_currency,
            "currency_id": move_line.currency_id.id,
            "level_id": (new_level or move_line.dunning_level_id).id,
            "is_new_level": bool(new_level),
            "term_id": term.id if term else False,
            "previous_level_id": move_line.dunning_level_id.id,
            "previous_level_number": move_line.dunning_level_number,
            "previous_date": move_line.dunning_last_date,
            "previous_count": move_line.dunning_count,
            **move_line._dunning_interest_values(new_level, as_of),
            "amount_fee_invoice": self._dunning_fee_invoice(move_line, new_level, as_of),
        }

    @api.model
    def _dunning_fee_invoice(self, move_line, new_level, as_of):
        """Fee per invoice of ``move_line`` reaching ``new_level`` at
        ``as_of``: in the invoice's currency (the reminder's) at the reminder
        date, e.g. the EUR 40 indemnity of French law on a USD invoice."""
        if new_level and move_line._dunning_charges_fee_per_invoice():
            return new_level._convert_amount(
                new_level.fee_per_invoice, move_line.currency_id, as_of
            )
        return 0.0

    @api.model
    def _dunning_format_date(self, date):
        """``format_date(self.env, date)``, remembered for one creation of
        reminders (context ``dunning_format_dates``, see
        account.dunning.builder): the lines of a batch show the same few
        dates, and formatting them was a fifth of preparing the lines."""
        memo = self.env.context.get("dunning_format_dates")
        if memo is None:
            return tools.format_date(self.env, date)
        key = (self.env.lang, self.env.context.get("tz"), date)
        if key not in memo:
            memo[key] = tools.format_date(self.env, date)
        return memo[key]

    @api.model
    def _dunning_explain(self, why, move_line, new_level):
        """Values ``escalation`` and ``explanation`` of a reminder line."""
        code, params = why
        date = params.get("date")
        date_str = self._dunning_format_date(date) if date else ""
        level = new_level.name if new_level else ""
        texts = {
            "escalated": lambda: self.env._("Reaches level %(level)s, planned on %(date)s.",
                                   level=level, date=date_str),
            "held": lambda: self.env._(
                "Reaches level %(level)s, planned on %(date)s: it waited for this "
                "reminder (at least %(days)s days between two reminders to the "
                "customer).",
                level=level,
                date=date_str,
                days=params.get("days"),
            ),
            "last_level": lambda: self.env._(
                "Brought to the last level %(level)s: the customer already received "
                "%(count)s reminders before it.",
                level=level,
                count=params.get("count"),
            ),
            "waiting": lambda: self.env._("Not escalated: its next level is due on %(date)s.",
                                 date=date_str),
            "notice": lambda: self.env._(
                "Courtesy notice %(level)s before the due date, planned on %(date)s: "
                "no charges, not counted as a reminder.",
                level=level,
                date=date_str,
            ),
            "held_quiet": lambda: self.env._(
                "Not escalated: the customer was reminded recently, its next "
                "reminder is possible from %(date)s.",
                date=date_str,
            ),
            "below_minimum": lambda: self.env._(
                "Not escalated: the overdue balance of the customer is below the "
                "minimum amount of its next level."
            ),
            "exhausted": lambda: self.env._("Not escalated: every level of its terms was reached."),
            "not_due": lambda: self.env._("Not yet due: listed for information."),
            "no_terms": lambda: self.env._("Not escalated: no reminder terms apply."),
            "not_invoice": lambda: self.env._(
                "Not an invoice: listed and counted, never escalated."
            ),
            "charge": lambda: self.env._(
                "Fees and interest of reminder %(name)s, not yet paid: counted in "
                "the total to pay, never escalated.",
                name=move_line.move_id.sudo().dunning_charge_reminder_id.name or "",
            ),
            "credit": lambda: self.env._("Open credit: deducted from the total to pay."),
            "blocked": lambda: self.env._(
                "On hold: listed for information, never escalated nor counted."
            ),
            "manual": lambda: self.env._(
                "Added by hand: listed and counted, not escalated by this reminder."
            ),
            "same_day": lambda: self.env._(
                "Not escalated: already reminded today, its next level waits for "
                "the next contact."
            ),
        }
        return {"escalation": code, "explanation": texts[code]()}

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

    @api.model
    def _dunning_create_lines(self, reminders, line_values_list):
        """Create the lines the module computed (``_prepare_lines_vals``), one
        list of values per reminder of ``reminders``, in order.

        As superuser, after checking that the user may change the reminders:
        the computed values of a line (amounts, fees, levels) are refused to
        users (see the line's create), only the module sets them. Each item is
        checked to be the customer's, in the reminder's company and currency.
        """
        reminders._check_dunning_access()
        vals_list = []
        for reminder, line_values in zip(reminders, line_values_list, strict=True):
            vals_list += [dict(values, reminder_id=reminder.id) for values in line_values]
        self._check_items_of_reminders(
            [(vals["reminder_id"], vals["move_line_id"]) for vals in vals_list]
        )
        lines = self.env["account.dunning.reminder.line"].sudo()._dunning_insert(vals_list)
        return lines.sudo(False)

    @api.model
    def _check_items_of_reminders(self, pairs):
        """_check_items_of_reminder for many reminders at once: ``pairs``
        [(reminder id, journal item id)]. The items of a batch of reminders
        are compared with their reminders in one query (reading five fields
        of each item in Python was a tenth of making the reminders at 10,000
        invoices); the reminders it finds are checked again by
        _check_items_of_reminder, which decides and says why."""
        if not pairs:
            return
        # the values compared, as the database holds them
        self.env["account.move.line"].flush_model(
            ["company_id", "currency_id", "partner_id", "account_id", "parent_state"]
        )
        self.env["account.account"].flush_model(["account_type"])
        self.env["account.dunning.reminder"].flush_model(
            ["company_id", "currency_id", "partner_id"]
        )
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT pair.reminder_id
                  FROM (VALUES %s) AS pair(reminder_id, move_line_id)
                  JOIN account_dunning_reminder reminder ON reminder.id = pair.reminder_id
                  JOIN res_partner customer ON customer.id = reminder.partner_id
                  LEFT JOIN account_move_line item ON item.id = pair.move_line_id
                  LEFT JOIN res_partner owner ON owner.id = item.partner_id
                  LEFT JOIN account_account account ON account.id = item.account_id
                 WHERE item.id IS NULL
                    OR item.company_id IS DISTINCT FROM reminder.company_id
                    OR item.currency_id IS DISTINCT FROM reminder.currency_id
                    OR owner.commercial_partner_id IS DISTINCT FROM customer.commercial_partner_id
                    OR account.account_type IS DISTINCT FROM 'asset_receivable'
                    OR item.parent_state IS DISTINCT FROM 'posted'
                """,
                SQL(", ").join(
                    SQL("(%s, %s)", reminder_id, line_id) for reminder_id, line_id in pairs
                ),
            )
        )
        for (reminder_id,) in self.env.cr.fetchall():
            reminder = self.env["account.dunning.reminder"].browse(reminder_id)
            self._check_items_of_reminder(
                reminder,
                self.env["account.move.line"].browse(
                    [line_id for pair_reminder, line_id in pairs if pair_reminder == reminder_id]
                ),
            )

    @api.model
    def _dunning_insert(self, vals_list):
        """Insert the lines the module computed (``vals_list``, every
        computed value given, see _prepare_line_vals), as create() would
        store them, in one INSERT per thousand lines.

        Why not create(): at 10,000 invoices, the ORM's create of the lines
        was half of the time of making the reminders, for values already
        known here: each of the six amounts rounded through a new record of
        its currency (the company's a related field computed on it), the
        defaults asked per line, the company and invoice computed per line.
        The result is the same: the defaults of the fields not given (asked
        once), the amounts rounded to their currency, the company and invoice
        of each line, the log columns; the new lines in the cache and the
        fields depending on them (the totals of the reminders) marked to
        recompute, as create() does. Only the module's own lines come here
        (created as superuser after _check_items_of_reminder, see
        _dunning_create_lines), so that no user value bypasses create()."""
        lines = self.browse()
        if not vals_list:
            return lines
        self._check_reminder_draft(
            self.env["account.dunning.reminder"].browse({vals["reminder_id"] for vals in vals_list})
        )
        columns = [
            name
            for name, field in self._fields.items()
            if field.store and field.column_type and name != "id" and name not in LOG_COLUMNS
        ]
        missing = [name for name in columns if any(name not in vals for vals in vals_list)]
        defaults = self.default_get(missing) if missing else {}
        reminders = self.env["account.dunning.reminder"].browse(
            {vals["reminder_id"] for vals in vals_list}
        )
        company_of = {reminder.id: reminder.company_id for reminder in reminders}
        move_of = {
            move_line.id: move_line.move_id.id
            for move_line in self.env["account.move.line"].browse(
                {vals["move_line_id"] for vals in vals_list}
            )
        }
        currencies = self.env["res.currency"]
        now = self.env.cr.now()
        rows = []
        given = []  # [{column: value}] of each line, as stored
        for vals in vals_list:
            company = company_of[vals["reminder_id"]]
            stored = dict(defaults, **vals)
            # The precomputed related fields, as create() computes them.
            stored.setdefault("company_id", company.id)
            stored["move_id"] = move_of[vals["move_line_id"]]
            for name in columns:
                if name not in stored:
                    continue
                field = self._fields[name]
                if field.type == "monetary":
                    # rounded to the currency of the amount, as
                    # Monetary.convert_to_column_insert does
                    currency = (
                        currencies.browse(stored["currency_id"])
                        if field.get_currency_field(self) == "currency_id"
                        else company.currency_id
                    )
                    stored[name] = float_repr(
                        currency.round(float(stored[name] or 0.0)), currency.decimal_places
                    )
                else:
                    stored[name] = field.convert_to_column_insert(stored[name], self, stored)
            given.append(stored)
            rows.append(tuple(stored.get(name) for name in columns))
        lines = self.browse(insert_rows(self, columns, rows))
        # The new lines in the cache, as create() leaves them.
        cache = self.env.cache
        for name in columns:
            field = self._fields[name]
            if field.type in ("monetary", "float"):
                values = [float(stored.get(name) or 0.0) for stored in given]
            elif field.type == "integer":
                values = [stored.get(name) or 0 for stored in given]
            elif field.type == "boolean":
                values = [bool(stored.get(name)) for stored in given]
            elif field.type == "many2one":
                values = [stored.get(name) or None for stored in given]
            else:
                values = [
                    field.convert_to_cache(stored.get(name), line, validate=False)
                    for stored, line in zip(given, lines, strict=True)
                ]
            cache.update(lines, field, values)
        for name, value in (("create_uid", self.env.uid), ("write_uid", self.env.uid),
                            ("create_date", now), ("write_date", now)):
            cache.update(lines, self._fields[name], [value] * len(lines))
        reminders.invalidate_recordset(["line_ids"])
        self.env["account.move"].browse(set(move_of.values())).invalidate_recordset(
            ["dunning_reminder_line_ids"]
        )
        # What depends on the lines (the reminders' levels and totals) is
        # recomputed; the values given are kept, as create() protects them.
        with self.env.protecting([self._fields[name] for name in columns], lines):
            lines.modified(self._fields, create=True)
        return lines

    @api.model
    def _check_items_of_reminder(self, reminder, move_lines):
        """Refuse items that are not open receivables of the reminder's
        customer (or of its contacts), company and currency: a reminder
        never claims, charges or escalates another customer's invoice."""
        reminder.ensure_one()
        # As superuser: only reads, to compare with the reminder.
        partner = reminder.sudo().partner_id.commercial_partner_id
        strangers = move_lines.sudo().filtered(
            lambda l: l.company_id != reminder.company_id
            or l.currency_id != reminder.currency_id
            or l.partner_id.commercial_partner_id != partner
            or l.account_type != "asset_receivable"
            or l.parent_state != "posted"
        )
        if strangers:
            raise UserError(
                reminder.env._(
                    "Reminder %(name)s is for %(partner)s in %(currency)s: it "
                    "cannot list %(items)s (another customer, company or "
                    "currency, or not an open receivable).",
                    name=reminder.name,
                    partner=reminder.partner_id.display_name,
                    currency=reminder.currency_id.name,
                    items=", ".join(strangers.mapped("display_name")),
                )
            )

    # ------------------------------------------------------------------
    # Lines of issued reminders are fixed; computed values are never edited
    # ------------------------------------------------------------------

    def _check_reminder_draft(self, reminders):
        not_draft = reminders.filtered(lambda r: r.state != "draft")
        if not_draft and not self.env.su:
            raise UserError(
                self.env._(
                    "Reminder %(name)s is no longer a draft: its lines cannot be "
                    "changed.",
                    name=not_draft[0].name,
                )
            )

    def _dunning_item_gone(self):
        """The item of this line left the reminder since it was created: paid
        or reconciled, its entry no longer posted (cancelled, reset to
        draft), or put on hold."""
        self.ensure_one()
        move_line = self.move_line_id
        return (
            not move_line
            or move_line.reconciled
            or move_line.company_currency_id.is_zero(move_line.amount_residual)
            or move_line.parent_state != "posted"
            or (self.line_type != "blocked" and move_line.move_id.dunning_blocked)
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_reminder_draft(
            self.env["account.dunning.reminder"].browse(
                {vals.get("reminder_id") for vals in vals_list if vals.get("reminder_id")}
            )
        )
        if not self.env.su:
            # A line added by hand (form, import, RPC) names its item only:
            # everything else is computed here, as the module computes it,
            # and never escalates (the module's own lines are created as
            # superuser by the reminder, see _dunning_create_lines).
            vals_list = [self._prepare_manual_line_vals(vals) for vals in vals_list]
        lines = super().create(vals_list)
        if not self.env.su:
            lines._check_items_belong()
        return lines

    @api.model
    def _prepare_manual_line_vals(self, vals):
        """Values of a line created by a user: only its reminder, its item and
        its note are taken; a computed value given is refused."""
        given = [
            name
            for name in COMPUTED_LINE_FIELDS + EXCLUSION_FIELDS
            if name != "move_line_id" and vals.get(name)
        ]
        if given:
            raise UserError(
                self.env._(
                    "The %(fields)s of a reminder line come from the journal item "
                    "and the reminder terms: they cannot be given. Recompute the "
                    "draft to list the customer's items.",
                    fields=", ".join(given),
                )
            )
        reminder = self.env["account.dunning.reminder"].browse(vals.get("reminder_id"))
        move_line = self.env["account.move.line"].browse(vals.get("move_line_id"))
        if not reminder or not move_line:
            raise UserError(
                self.env._("A reminder line needs its reminder and its journal item.")
            )
        # the item is read as the user: an item they may not read is refused
        move_line.check_access("read")
        self._check_items_of_reminder(reminder, move_line)
        if move_line.amount_residual < 0:
            line_type = "credit"
        elif move_line.move_id.dunning_blocked:
            line_type = "blocked"
        elif move_line._dunning_is_charge_item():
            line_type = "charge"
        elif move_line._dunning_due_date() < reminder.date:
            line_type = "overdue"
        else:
            line_type = "not_due"
        values = self._prepare_line_vals(move_line, reminder.date, line_type, False, False)
        values.update(
            self._dunning_explain(
                (line_type if line_type != "overdue" else "manual", {}), move_line, False
            )
        )
        values.update(reminder_id=reminder.id, note=vals.get("note") or False)
        return values

    def _check_items_belong(self):
        """Each line's item is an open receivable of the reminder's customer
        (or one of its contacts), company and currency."""
        for reminder, lines in self.grouped("reminder_id").items():
            self._check_items_of_reminder(reminder, lines.move_line_id)

    def write(self, vals):
        if not self.env.su:
            self._check_reminder_draft(self.reminder_id)
            locked = [name for name in EXCLUSION_FIELDS if name in vals]
            if locked:
                raise UserError(
                    self.env._(
                        "Use the Exclude and Include Again buttons of the reminder "
                        "line to change its %(fields)s: they log the decision.",
                        fields=", ".join(locked),
                    )
                )
            computed = [name for name in COMPUTED_LINE_FIELDS if name in vals]
            if computed:
                raise UserError(
                    self.env._(
                        "The %(fields)s of a reminder line come from the journal "
                        "item and the reminder terms: recompute the draft instead.",
                        fields=", ".join(computed),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        self._check_reminder_draft(self.reminder_id)

    # ------------------------------------------------------------------
    # Adjustments of a draft by the user: exclusion with a reason, note
    # ------------------------------------------------------------------

    def action_open_exclude(self):
        """Ask for the reason of the exclusion (logged on the reminder)."""
        self.ensure_one()
        self._check_excludable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Exclude %(item)s", item=self.move_id.display_name),
            "res_model": "account.dunning.line.exclude.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_line_id": self.id},
        }

    def _check_excludable(self):
        self.reminder_id._check_dunning_access()
        self._check_reminder_draft(self.reminder_id)
        for line in self:
            if line.line_type not in ("overdue", "not_due"):
                raise UserError(
                    self.env._(
                        "Only invoices can be excluded from a reminder (%(item)s is "
                        "a credit, a charge or an item on hold).",
                        item=line.move_id.display_name,
                    )
                )

    def _exclude(self, reason):
        """Leave the items out of their draft reminder: not escalated, not
        charged, not counted; the reason is logged in the reminder's chatter."""
        reason = (reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason why the item is excluded."))
        self._check_excludable()
        self._set_excluded(reason)
        for reminder, lines in self.grouped("reminder_id").items():
            self.env["account.dunning.charges"]._set_fee(reminder)
            reminder.message_post(
                body=self.env._(
                    "%(items)s excluded from this reminder: %(reason)s",
                    items=", ".join(lines.move_id.mapped("display_name")),
                    reason=reason,
                )
            )
        return True

    def _set_excluded(self, reason):
        for line in self:
            explanation = self.env._(
                "Excluded from this reminder: %(reason)s", reason=reason
            )
            # As superuser: see COMPUTED_LINE_FIELDS and EXCLUSION_FIELDS; the
            # access to the reminder was checked by the caller.
            line.sudo().write(
                dict(
                    EXCLUDED_VALUES,
                    excluded=True,
                    exclusion_reason=reason,
                    explanation=explanation,
                )
            )

    def action_include(self):
        """Put excluded items back: the draft is recomputed with them."""
        self.reminder_id._check_dunning_access()
        self._check_reminder_draft(self.reminder_id)
        lines = self.filtered("excluded")
        for reminder, reminder_lines in lines.grouped("reminder_id").items():
            reminder_lines.sudo().write({"excluded": False, "exclusion_reason": False})
            reminder.message_post(
                body=self.env._(
                    "%(items)s included again in this reminder.",
                    items=", ".join(reminder_lines.move_id.mapped("display_name")),
                )
            )
            reminder.action_refresh()
        return True

    def _get_adjustments(self):
        """What the user set on these lines, by journal item, to keep it
        when the draft is recomputed: {item id: (exclusion reason, note)}."""
        return {
            line.move_line_id.id: (line.exclusion_reason if line.excluded else False, line.note)
            for line in self
            if line.excluded or line.note
        }

    def _apply_adjustments(self, adjustments):
        for line in self:
            reason, note = adjustments.get(line.move_line_id.id, (False, False))
            if note:
                line.sudo().note = note
            if reason and line.line_type in ("overdue", "not_due"):
                line._set_excluded(reason)
