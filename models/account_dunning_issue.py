# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Issuing reminders, and undoing it: the only writer of the dunning state
of journal items (level, count, last date, interest date). Issuing brings
each draft up to date (``account.dunning.builder``), checks it (contact
policy, promises, staleness, credits, charges configuration), records the
new levels on the items, posts the charges through the terms
(``account.dunning.term._post_charges``) and marks the reminders issued.
Cancelling an issued reminder gives the items their previous level back.
Many reminders at once (automation batches) read what the checks need once.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError


class AccountDunningIssue(models.AbstractModel):
    _name = "account.dunning.issue"
    _description = "Payment Reminder Issue"

    @api.model
    def _issue(self, reminders):
        """Issue the draft ``reminders`` (the caller checked the user's
        rights and their state): each brought up to date and checked, the
        new levels recorded on the items, the charges posted by the terms of
        each reminder (its journals and accounts) in its currency."""
        issue_date = fields.Date.context_today(reminders)
        policy_model = self.env["account.dunning.contact.policy"]
        policy_model._lock_claimed_items(reminders)
        # Many reminders (automation batch): the checks read their data once.
        checked = (
            reminders.with_context(dunning_issue_prefetch=self._dunning_issue_prefetch(reminders))
            if len(reminders) > 1
            else reminders
        )
        for reminder in checked:
            self._check_issuable(reminder)
        policy_model._check_items_claimed_once(reminders)
        self._record_levels(reminders, issue_date)
        moves = {}
        # Business Central's issue setting: the charges entry dated the issue
        # date (default), or the reminder's date as created.
        keep = reminders.env.context.get("dunning_charges_date") == "reminder"
        for (term, date), term_reminders in reminders.grouped(
            lambda r: (r._fee_term(), min(r.date, issue_date) if keep else issue_date)
        ).items():
            moves.update(term._post_charges(term_reminders, date))
        # One write per group of equal values (the reminders without
        # charges entry together): each write of reminders runs the
        # tracking and the recomputation of their totals once.
        issued = defaultdict(lambda: self.env["account.dunning.reminder"])
        for reminder in reminders:
            move = moves.get(reminder)
            issued[(move.id, move.payment_reference) if move else (False, False)] |= reminder
        for (move_id, payment_reference), group in issued.items():
            group.sudo().write(
                {
                    "state": "issued",
                    "issue_date": issue_date,
                    "move_id": move_id,
                    "payment_reference": payment_reference,
                }
            )
        return True

    @api.model
    def _check_issuable(self, reminder):
        """Bring a draft up to date (payments since creation, entries no longer
        posted, holds) and refuse to issue it when its customer promised to
        pay, is on hold or was reminded too recently, or when it is stale, empty, covered by
        credits or when its fees cannot be posted."""
        reminder.ensure_one()
        policy_model = self.env["account.dunning.contact.policy"]
        builder = self.env["account.dunning.builder"]
        policy_model._check_no_open_promise(reminder)
        policy_model._check_partner_remindable(reminder)
        policy_model._check_quiet_period(reminder)
        builder._drop_paid_lines(reminder)
        # Every item is the customer's, in the company and currency of the
        # reminder, checked again under the lock of the items.
        self.env["account.dunning.reminder.line"]._check_items_of_reminder(
            reminder, reminder.line_ids.move_line_id
        )
        builder._add_new_credits(reminder)
        new_lines = reminder.line_ids.filtered("is_new_level")
        if not new_lines and reminder.line_ids.filtered("excluded"):
            raise UserError(
                reminder.env._(
                    "Reminder %(name)s has no item left to remind: every item "
                    "reaching a new level is excluded from it. Include one again "
                    "or cancel the reminder.",
                    name=reminder.name,
                )
            )
        if not new_lines:
            raise UserError(
                reminder.env._(
                    "Reminder %(name)s has no item left to remind: they were paid "
                    "in the meantime. Cancel it.",
                    name=reminder.name,
                )
            )
        stale = new_lines.filtered(
            lambda l: l.move_line_id.dunning_count != l.previous_count
        )
        if stale:
            raise UserError(
                reminder.env._(
                    "Reminder %(name)s is out of date: %(items)s were reminded by "
                    "another reminder since it was created. Recompute it or "
                    "cancel it.",
                    name=reminder.name,
                    items=", ".join(stale.move_line_id.move_id.mapped("name")),
                )
            )
        # per currency, like at creation: never at historical exchange rates
        if not reminder.is_notice and all(
            total <= 0 for total in reminder._get_totals_by_currency().values()
        ):
            raise UserError(
                reminder.env._(
                    "Reminder %(name)s is not issued: the open credits of "
                    "%(partner)s (credit notes, payments) cover the overdue "
                    "amount. Match them with the invoices, then cancel the "
                    "reminder.",
                    name=reminder.name,
                    partner=reminder.partner_id.display_name,
                )
            )
        charges_model = self.env["account.dunning.charges"]
        charges_model._refresh_interest(reminder)
        charges_model._set_fee(reminder)
        reminder._fee_term()._check_charges_config(reminder)

    @api.model
    def _record_levels(self, reminders, issue_date):
        """Record the new levels on the journal items, so that the next
        reminder escalates. Items are written in groups of equal values: each
        write of journal items runs the synchronisation of their entries."""
        groups = defaultdict(lambda: self.env["account.move.line"])
        for line in reminders.line_ids.filtered("is_new_level"):
            move_line = line.move_line_id
            key = (
                line.level_id.id,
                line.level_id.number,
                move_line.dunning_count + 1,
                bool(line.amount_fee_invoice),
                line.interest_date_to,
                # a courtesy notice is counted apart (see dunning_notice_count)
                move_line.dunning_notice_count + 1 if line.level_id.is_pre_due else None,
            )
            groups[key] |= move_line
        for (
            level_id,
            number,
            count,
            fee_charged,
            interest_date,
            notice_count,
        ), move_lines in groups.items():
            values = {
                "dunning_level_id": level_id,
                "dunning_level_number": number,
                "dunning_last_date": issue_date,
                "dunning_count": count,
            }
            if notice_count is not None:
                values["dunning_notice_count"] = notice_count
            if fee_charged:
                values["dunning_fee_charged"] = True
            if interest_date:
                # interest was charged up to this date: the next runs from the day after
                values["dunning_interest_date"] = interest_date
            # As superuser: the dunning state of journal items is written by
            # the reminders only (see DUNNING_ITEM_FIELDS).
            move_lines.sudo()._dunning_write_state(values)
        self._log_on_invoices(
            reminders.line_ids.filtered("is_new_level"),
            lambda line: reminders.env._(
                "Payment reminder %(name)s issued: level %(level)s.",
                name=line.reminder_id.name,
                level=line.level_id.display_name,
            ),
        )

    @api.model
    def _undo_issue(self, reminder):
        """Give the items back the level they had before this reminder."""
        reminder.ensure_one()
        for line in reminder.line_ids.filtered("is_new_level"):
            move_line = line.move_line_id
            if move_line.dunning_count != line.previous_count + 1:
                raise UserError(
                    reminder.env._(
                        "Reminder %(name)s cannot be cancelled: %(item)s was reminded "
                        "again afterwards. Cancel the later reminder first.",
                        name=reminder.name,
                        item=move_line.move_id.name,
                    )
                )
            values = {
                "dunning_level_id": line.previous_level_id.id,
                "dunning_level_number": line.previous_level_number,
                "dunning_last_date": line.previous_date,
                "dunning_count": line.previous_count,
            }
            if line.amount_fee_invoice:
                values["dunning_fee_charged"] = False
            if line.level_id.is_pre_due:
                values["dunning_notice_count"] = max(move_line.dunning_notice_count - 1, 0)
            if line.interest_date_to:
                values["dunning_interest_date"] = line.previous_interest_date
            # As superuser: see DUNNING_ITEM_FIELDS.
            move_line.sudo().write(values)
        self._log_on_invoices(
            reminder.line_ids.filtered("is_new_level"),
            lambda line: reminder.env._(
                "Payment reminder %(name)s cancelled: back to level %(level)s.",
                name=reminder.name,
                level=line.previous_level_id.display_name or 0,
            ),
        )
        reversed_by_hand = reminder.move_id.reversal_move_ids.filtered(
            lambda m: m.state == "posted"
        )
        if reversed_by_hand:
            # Reversed by hand already: never a second reversal.
            # As superuser: see LIFECYCLE_FIELDS.
            reminder.sudo().write({"reversal_move_id": reversed_by_hand[:1].id})
        elif reminder.move_id and reminder.move_id.state == "posted":
            reversal = reminder.move_id._reverse_moves(
                [
                    {
                        "date": fields.Date.context_today(reminder),
                        "ref": reminder.env._("Cancellation of %s", reminder.name),
                    }
                ],
                cancel=True,
            )
            # As superuser: see LIFECYCLE_FIELDS.
            reminder.sudo().write({"reversal_move_id": reversal[:1].id})

    @api.model
    def _log_on_invoices(self, lines, body):
        """One note per invoice in its chatter (in one batch), so that the
        invoice tells when its reminder level changed and by which reminder."""
        bodies = {}
        for line in lines:
            bodies.setdefault(line.move_id.id, []).append(body(line))
        moves = self.env["account.move"].browse(list(bodies))
        # As _message_log_batch would, in one query (see the method).
        self.env["account.dunning.mail.batch"]._dunning_log_notes(
            moves.sudo(),
            {move_id: "<br/>".join(texts) for move_id, texts in bodies.items()},
        )

    # ------------------------------------------------------------------
    # Batches: what the checks read, read once
    # ------------------------------------------------------------------

    @api.model
    def _dunning_issue_prefetch(self, reminders):
        """What the checks of issuing read for each reminder, read once for
        all the ``reminders`` (a batch): the customers' open items (new
        credits), the date of their last reminder (quiet period) and their
        open promises to pay. Keys: (company id, commercial partner id).
        Passed in the context (``dunning_issue_prefetch``) to the checks,
        which search themselves without it (one reminder)."""
        today = fields.Date.context_today(reminders)
        data = {"open_lines": {}, "last_issue": {}, "promise": {}}
        for company, company_reminders in reminders.grouped("company_id").items():
            partners = company_reminders.partner_id.commercial_partner_id
            open_lines = self.env["account.dunning.contact.policy"]._dunning_open_lines(
                company, partners
            )
            for line in open_lines:
                key = (company.id, line.partner_id.commercial_partner_id.id)
                data["open_lines"].setdefault(key, []).append(line.id)
            for partner, last in reminders._read_group(
                [
                    ("partner_id", "in", company_reminders.partner_id.ids),
                    ("company_id", "=", company.id),
                    ("state", "in", ("issued", "sent")),
                    ("issue_date", "!=", False),
                    ("is_notice", "=", False),
                    ("id", "not in", reminders.ids),
                ],
                ["partner_id"],
                ["issue_date:max"],
            ):
                data["last_issue"][(company.id, partner.id)] = last
            promises = self.env["account.dunning.promise"]._dunning_open_promises(
                company, today, partners
            )
            for promise in promises:
                key = (company.id, promise.partner_id.commercial_partner_id.id)
                data["promise"].setdefault(key, promise.id)
        return data

    @api.model
    def _dunning_prefetched(self, reminder, kind):
        """The value of ``kind`` read by _dunning_issue_prefetch for this
        reminder; None without prefetch (then the caller searches)."""
        reminder.ensure_one()
        data = reminder.env.context.get("dunning_issue_prefetch")
        if data is None:
            return None
        # The last reminder of the partner itself (as the search without
        # prefetch), the items and promises of its commercial entity.
        partner = reminder.partner_id
        if kind != "last_issue":
            partner = partner.commercial_partner_id
        return data[kind].get((reminder.company_id.id, partner.id), False)
