# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Making the draft reminders: one draft per customer and currency,
created or recomputed from the open items the contact policy lets advance
(``account.dunning.contact.policy``), its lines prepared by the line model
(``account.dunning.reminder.line``), numbered from the company's sequence;
and a draft brought up to date before it is issued (items paid since,
new credits). Nothing here is issued, charged or sent.
"""

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

from ..dunning_engine import bounds as engine_bounds
from .account_dunning_reminder import DRAFT_UNIQUE_INDEX


class AccountDunningBuilder(models.AbstractModel):
    _name = "account.dunning.builder"
    _description = "Payment Reminder Builder"

    @api.model
    # Computes everything before writing (see below): many locals.
    def _create_reminders(  # pylint: disable=too-many-locals
        self, partners=None, as_of=None, include_not_due=False, include_blocked=False
    ):
        """Create (or refresh) the draft reminders of the current company.

        One draft reminder at most per customer and currency (the items of a
        customer are grouped by their currency): an existing draft is
        recomputed instead of duplicated, and cancelled when nothing is left to
        remind. Customers marked "No Reminders" are skipped, and so are the
        invoices on hold unless ``include_blocked`` lists them for information.
        The contact policy stays per customer: its reminders in several
        currencies made the same day are one contact.
        A promise to pay that held a reminder due says so (once).
        Returns the draft reminders created or refreshed.
        """
        company = self.env.company
        as_of = as_of or fields.Date.context_today(self)
        reminder_model = self.env["account.dunning.reminder"]
        self._check_reminder_date(as_of)
        policy_model = self.env["account.dunning.contact.policy"]
        # Customers on hold or archived are left out: their drafts are
        # cancelled below.
        by_partner = policy_model._dunning_customer_items(company, partners, include_blocked)
        draft_domain = [("state", "=", "draft"), ("company_id", "=", company.id)]
        if partners is not None:
            draft_domain.append(
                ("partner_id", "in", partners.commercial_partner_id.ids)
            )
        drafts = reminder_model.search(draft_domain)
        drafts_by_key = {(draft.partner_id, draft.currency_id): draft for draft in drafts}
        # First compute everything, then write: writes (and the unlink of
        # the lines of refreshed drafts) invalidate the cache, which would make
        # every following customer fetch its items again.
        to_refresh = []
        to_create = []
        kept = reminder_model.browse()
        # the dates the lines explain, formatted once for the batch
        line_model = self.env["account.dunning.reminder.line"].with_context(
            dunning_format_dates={}
        )
        contacts = policy_model._dunning_contact_states(company, as_of, by_partner)
        for partner, partner_lines in by_partner.items():
            contact = contacts[partner]
            if policy_model._dunning_under_notice(partner_lines, as_of):
                contact = dict(contact, under_notice=True)
            term = partner.with_company(company)._get_dunning_term()
            for currency, move_lines in self._dunning_group_by_currency(
                partner_lines
            ).items():
                draft = drafts_by_key.get((partner, currency), reminder_model.browse())
                line_values, has_new_level = [], False
                if contact["decision"].allowed or contact.get("notices_allowed"):
                    line_values, has_new_level = line_model._prepare_lines_vals(
                        move_lines,
                        as_of,
                        include_not_due,
                        contact=dict(
                            contact, notices_only=not contact["decision"].allowed
                        ),
                    )
                if not contact["decision"].allowed and not has_new_level:
                    # Quiet period (or a promise to pay): the items that reached
                    # a level wait for the next contact; a draft (made before a
                    # policy change) is kept and refused at issue. Courtesy
                    # notices before the due date still go out in a quiet period.
                    kept |= draft
                    continue
                if not has_new_level:
                    continue  # its draft is cancelled below
                if self.env.context.get("dunning_highest_level"):
                    line_values = policy_model._dunning_raise_to_highest(line_values, as_of)
                    if line_values is None:  # waits for the customer's next step
                        kept |= draft
                        continue
                values = self._reminder_values(as_of, term)
                if draft:
                    to_refresh.append((draft, values, line_values))
                else:
                    to_create.append(
                        (
                            dict(
                                values,
                                partner_id=partner.id,
                                company_id=company.id,
                                currency_id=currency.id,
                            ),
                            line_values,
                        )
                    )
        result = reminder_model.browse()
        if to_refresh:
            refreshed = reminder_model.browse([draft.id for draft, _values, _lines in to_refresh])
            # What the user decided on the lines (exclusions, notes) survives
            # the recomputation.
            adjustments = refreshed.line_ids._get_adjustments()
            refreshed.line_ids.unlink()
            for draft, values, _lines in to_refresh:
                draft.write(values)
            line_model._dunning_create_lines(
                refreshed, [lines for _draft, _values, lines in to_refresh]
            )
            refreshed.line_ids._apply_adjustments(adjustments)
            result |= refreshed
        if to_create:
            created = reminder_model.create([values for values, _lines in to_create])
            line_model._dunning_create_lines(created, [lines for _values, lines in to_create])
            result |= created
        self.env["account.dunning.charges"]._set_fee(result)
        # Drafts with nothing left to remind (items paid, customer on hold,
        # nothing left in their currency) are cancelled.
        to_cancel = drafts - kept - result
        if to_cancel:
            to_cancel.sudo().write({"state": "cancel"})
            for reminder in to_cancel:
                reminder.message_post(
                    body=self.env._(
                        "Cancelled when reminders were created on %(date)s: nothing "
                        "is left to remind for this customer.",
                        date=format_date(self.env, as_of),
                    )
                )
        self._dunning_note_held_by_promises(partners, as_of)
        return result

    @api.model
    def _dunning_note_held_by_promises(self, partners, as_of):
        """Say on the promise (once) that it held a reminder that was due."""
        company = self.env.company
        promises = self.env["account.dunning.promise"]._dunning_open_promises(
            company, as_of, partners
        ).filtered(lambda p: not p.held_date)
        for promise in promises:
            move_lines = self.env["account.dunning.contact.policy"]._dunning_open_lines(
                company, promise.partner_id
            )
            _values, due = self.env[
                "account.dunning.reminder.line"
            ]._prepare_lines_vals(move_lines, as_of)
            if not due:
                continue
            # As superuser: see PROMISE_STATE_FIELDS.
            promise.sudo().held_date = as_of
            promise.message_post(
                body=self.env._(
                    "A payment reminder was due on %(date)s: it is held by this "
                    "promise until %(until)s.",
                    date=format_date(self.env, as_of),
                    until=format_date(self.env, promise.promised_date),
                )
            )

    @api.model
    def _reminder_values(self, as_of, term):
        """Values of a draft reminder at ``as_of`` (its lines apart, see
        _dunning_create_lines)."""
        return {"date": as_of, "term_id": term.id}

    @api.model
    def _refresh_draft(self, reminder):
        """Recompute the draft ``reminder`` at its date (paid items drop
        out), as the contact policy of its customer allows today."""
        reminder.ensure_one()
        policy_model = self.env["account.dunning.contact.policy"]
        move_lines = policy_model._dunning_open_lines(
            reminder.company_id,
            reminder.partner_id,
            include_blocked=any(
                line.line_type == "blocked" for line in reminder.line_ids
            ),
        )
        partner = reminder.partner_id.commercial_partner_id
        contact = policy_model._dunning_contact_states(
            reminder.company_id, reminder.date, {partner: move_lines}
        )[partner]
        policy_model._check_contact_allowed(reminder, contact)
        # the contact policy is per customer, the lines per currency
        line_values, has_new_level = reminder.line_ids._prepare_lines_vals(
            move_lines.filtered(lambda l: l.currency_id == reminder.currency_id),
            reminder.date,
            include_not_due=any(
                line.line_type == "not_due" for line in reminder.line_ids
            ),
            contact=contact,
        )
        if not has_new_level:
            raise UserError(
                self.env._(
                    "Nothing is left to remind on %(name)s: the items were paid "
                    "or already reminded. Cancel the reminder.",
                    name=reminder.name,
                )
            )
        self._replace_lines(
            reminder,
            line_values,
            reminder.date,
            reminder.term_id or reminder.partner_id._get_dunning_term(),
        )

    @api.model
    def _replace_lines(self, reminder, line_values, as_of, term):
        reminder.ensure_one()
        adjustments = reminder.line_ids._get_adjustments()
        reminder.line_ids.unlink()
        reminder.write(self._reminder_values(as_of, term))
        self.env["account.dunning.reminder.line"]._dunning_create_lines(reminder, [line_values])
        reminder.line_ids._apply_adjustments(adjustments)
        self.env["account.dunning.charges"]._set_fee(reminder)

    @api.model
    def _dunning_group_by_currency(self, move_lines):
        """The items of one customer per currency, in their order: each
        currency gets its own reminder (its credits, charges and items on hold
        included), so that what a customer owes in one currency is never
        netted against another one at an exchange rate."""
        return move_lines.grouped("currency_id")

    # ------------------------------------------------------------------
    # A draft brought up to date before it is issued
    # ------------------------------------------------------------------

    @api.model
    def _drop_paid_lines(self, reminders):
        """Remove lines whose item was paid or reconciled since creation, whose
        entry is no longer posted (cancelled, reset to draft) or was put on
        hold since, and refresh the open amounts of the others."""
        for reminder in reminders:
            # The open amounts follow the journal items, whoever issues.
            for line in reminder.sudo().line_ids:
                move_line = line.move_line_id
                if line._dunning_item_gone():
                    line.unlink()
                elif line.amount_residual != move_line.amount_residual:
                    line.write(
                        {
                            "amount_residual": move_line.amount_residual,
                            "amount_residual_currency": (
                                move_line.amount_residual_currency
                            ),
                        }
                    )

    @api.model
    def _add_new_credits(self, reminders):
        """List the credits (payments, credit notes) booked since creation."""
        line_model = self.env["account.dunning.reminder.line"]
        for reminder in reminders:
            prefetched = self.env["account.dunning.issue"]._dunning_prefetched(
                reminder, "open_lines"
            )
            if prefetched is None:
                open_lines = self.env["account.dunning.contact.policy"]._dunning_open_lines(
                    reminder.company_id, reminder.partner_id
                )
            else:
                open_lines = self.env["account.move.line"].browse(prefetched or [])
            new_credits = (open_lines - reminder.line_ids.move_line_id).filtered(
                lambda l, reminder=reminder: l.amount_residual < 0
                and l.currency_id == reminder.currency_id
            )
            if new_credits:
                line_model._dunning_create_lines(
                    reminder,
                    [
                        [
                            dict(
                                line_model._prepare_line_vals(
                                    credit, reminder.date, "credit", False, False
                                ),
                                **line_model._dunning_explain(("credit", {}), credit, False),
                            )
                            for credit in new_credits
                        ]
                    ]
                )

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
    def _dunning_sequence_year(self, sequence, day):
        """The year (date range) of the reminders' ``sequence`` holding
        ``day``, created when missing (as ir.sequence._next does)."""
        return self.env["ir.sequence.date_range"].search(
            [
                ("sequence_id", "=", sequence.id),
                ("date_from", "<=", day),
                ("date_to", ">=", day),
            ],
            limit=1,
        ) or sequence._create_date_range_seq(day)

    @api.model
    def _dunning_prepare_numbering(self, company, day):
        """Create the year of the reminders' numbers of ``company`` before a
        run's batches start: two workers creating it at once, each in its
        transaction, would create two years numbering from 1 (the same
        numbers twice)."""
        # (called by the run's start, as superuser)
        sequence = self.env["ir.sequence"].search(
            [("code", "=", "account.dunning.reminder"), ("company_id", "in", [company.id, False])],
            order="company_id",
            limit=1,
        )
        if sequence.use_date_range and sequence.implementation == "standard":
            self._dunning_sequence_year(sequence, day)

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
            day = self.env.context.get("ir_sequence_date", fields.Date.today())
            date_range = self._dunning_sequence_year(sequence, day)
            pg_sequence = "ir_sequence_%03d_%03d" % (sequence.id, date_range.id)
            sequence = sequence.with_context(ir_sequence_date_range=date_range.date_from)
        self.env.cr.execute(
            SQL("SELECT nextval(%s) FROM generate_series(1, %s)", pg_sequence, count)
        )
        numbers = sorted(number for (number,) in self.env.cr.fetchall())
        # as get_next_char, its prefix and suffix interpolated once
        prefix, suffix = sequence._get_prefix_suffix()
        return [prefix + "%%0%sd" % sequence.padding % number + suffix for number in numbers]

    # ------------------------------------------------------------------
    # Dates in range; one draft per customer, company and currency
    # ------------------------------------------------------------------

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

    @api.model
    def _dunning_ensure_draft_index(self):
        """Create the index of one draft per customer, company and currency
        (called by the reminder's _auto_init)."""
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

    @api.model
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
