# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
import traceback

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.safe_eval import safe_eval

_logger = logging.getLogger(__name__)


class AccountDunningAutomationAction(models.Model):
    """One step of a reminder automation: create (after checking the promises
    to pay), issue or send reminders (then thank the customers who paid)."""

    _name = "account.dunning.automation.action"
    _description = "Reminder Automation Action"
    _order = "sequence, id"
    _check_company_auto = True

    automation_id = fields.Many2one(
        "account.dunning.automation", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="automation_id.company_id", store=True, index=True, precompute=True
    )
    sequence = fields.Integer(default=10)
    action_type = fields.Selection(
        [
            ("create", "Create Reminders"),
            ("issue", "Issue Reminders"),
            ("send", "Send Reminders"),
        ],
        string="Action",
        required=True,
        default="create",
    )
    name = fields.Char(string="Description")
    stop_on_error = fields.Boolean(
        help="When this action logs an error, it still processes every customer "
        "of the run (each error logged), and the actions after it are not run "
        "for the whole run (as in Business Central)."
    )
    partner_domain = fields.Char(
        string="Customer Filter",
        default="[]",
        help="Only the customers matching this filter (and the filter of the "
        "automation) are processed by this action.",
    )
    include_not_due = fields.Boolean(
        string="List Items Not Yet Due",
        help="Create: also list the invoices not yet due on the reminders.",
    )
    include_blocked = fields.Boolean(
        string="List Items on Hold",
        help="Create: also list the invoices on hold (disputes) on the "
        "reminders, for information; they are never escalated nor counted.",
    )
    set_highest_level = fields.Boolean(
        string="Set the Highest Level on All Lines",
        help="Create: every overdue item of a customer reaching a new level is "
        "brought to the highest level reached by one of them (same terms), so "
        "that one reminder, e.g. one formal notice, lists them all.",
    )
    charges_date = fields.Selection(
        [
            ("issue", "Issue date"),
            ("reminder", "Reminder date"),
        ],
        string="Date of the Charges Entry",
        default="issue",
        required=True,
        help="Issue: the posting date (and invoice date) of the fees and "
        "interest entry is replaced with the date the reminder is issued. "
        "Reminder date: the entry keeps the date of the reminder as created.",
    )
    max_sends = fields.Integer(
        string="Times Sent at One Level",
        default=1,
        help="Send: how many times the same reminder may be sent while its "
        "items stay unpaid and no newer reminder replaces it (1: once).",
    )
    min_days_between_sends = fields.Integer(
        string="Min. Days Between Two Sends",
        default=7,
        help="Send: days at least between two sends of the same reminder.",
    )
    min_level = fields.Integer(
        string="From Level",
        help="Issue and send: only reminders whose level is at least this one "
        "(0: all).",
    )
    max_level = fields.Integer(
        string="Up to Level",
        help="Issue and send: only reminders whose level is at most this one "
        "(0: no limit). Use it to issue the first levels automatically and "
        "review the formal notices by hand.",
    )

    @api.constrains("partner_domain")
    def _check_partner_domain(self):
        for action in self:
            self._parse_domain(action.partner_domain, action.automation_id.display_name, check=True)

    def _partner_filter_domain(self):
        self.ensure_one()
        return self._parse_domain(self.partner_domain, self.automation_id.display_name)

    # The level range picked from the levels (their numbers and names)
    # rather than typed; stored in min_level / max_level as before.
    min_level_choice = fields.Selection(
        selection="_dunning_level_selection",
        string="From Level ",
        compute="_compute_level_choices",
        inverse="_inverse_min_level_choice",
        help="Issue and send: only reminders whose level is at least this one.",
    )
    max_level_choice = fields.Selection(
        selection="_dunning_level_selection",
        string="Up to Level ",
        compute="_compute_level_choices",
        inverse="_inverse_max_level_choice",
        help="Issue and send: only reminders whose level is at most this one. "
        "Use it to issue the first levels automatically and review the formal "
        "notices by hand.",
    )

    @api.model
    def _dunning_level_selection(self):
        """The level numbers of the company's terms, named after their
        levels ("2 - Reminder / Second reminder"), and "All levels"."""
        names = {}
        levels = self.env["account.dunning.level"].search(
            [("company_id", "in", [self.env.company.id, False])]
        )
        for level in levels.sorted(lambda l: (l.number, l.id)):
            if level.number > 0 and level.name not in names.setdefault(level.number, []):
                names[level.number].append(level.name)
        choices = [("0", self.env._("All levels"))]
        choices += [
            (str(number), f"{number} - {' / '.join(level_names)}")
            for number, level_names in sorted(names.items())
        ]
        return choices

    @api.depends("min_level", "max_level")
    def _compute_level_choices(self):
        valid = {value for value, _label in self._dunning_level_selection()}
        for action in self:
            # A number without a level today (levels removed) shows as is.
            for field, choice in (
                ("min_level", "min_level_choice"),
                ("max_level", "max_level_choice"),
            ):
                value = str(action[field] or 0)
                action[choice] = value if value in valid else False

    def _inverse_min_level_choice(self):
        for action in self:
            action.min_level = int(action.min_level_choice or 0)

    def _inverse_max_level_choice(self):
        for action in self:
            action.max_level = int(action.max_level_choice or 0)

    @api.constrains("min_level", "max_level")
    def _check_levels(self):
        for action in self:
            if action.min_level < 0 or action.max_level < 0 or (
                action.max_level and action.min_level > action.max_level
            ):
                raise ValidationError(
                    self.env._(
                        "Automation %(name)s: the level range of an action must "
                        "be positive and its start not after its end.",
                        name=action.automation_id.display_name,
                    )
                )

    @api.constrains("max_sends", "min_days_between_sends")
    def _check_sends(self):
        for action in self:
            if action.max_sends < 1 or action.min_days_between_sends < 0:
                raise ValidationError(
                    self.env._(
                        "Automation %(name)s: a reminder is sent at least once "
                        "(Times Sent at One Level) and the days between two sends "
                        "cannot be negative.",
                        name=action.automation_id.display_name,
                    )
                )

    @api.model
    def _parse_domain(self, text, owner, check=False):
        """The customer filter ``text`` as a domain on res.partner; with
        ``check`` (when saved), also tried in a search (not at each batch of
        a run: the search of the batch applies it)."""
        try:
            domain = safe_eval(text or "[]")
            if not isinstance(domain, list | tuple):
                raise ValueError("not a list")
            if check:
                self.env["res.partner"].search(list(domain), limit=1)
        except Exception as exc:
            raise ValidationError(
                self.env._(
                    "%(owner)s: the customer filter %(filter)s is not valid: %(error)s",
                    owner=owner,
                    filter=text,
                    error=exc,
                )
            ) from exc
        return list(domain)

    def _company_reminders(self, state, partners=None):
        """Reminders of the automation's company in ``state`` (of
        ``partners`` when given)."""
        domain = [
            ("state", "=", state),
            ("company_id", "=", self.automation_id.company_id.id),
        ]
        if partners is not None:
            domain.append(("partner_id", "in", partners.ids))
        return self.env["account.dunning.reminder"].search(domain, order="id")

    def _filtered_reminders(self, state, partners=None):
        """Reminders in ``state`` selected by the filters and the level range."""
        self.ensure_one()
        reminders = self._company_reminders(state, partners)
        partners = self.automation_id._filter_partners(
            reminders.partner_id, self._partner_filter_domain()
        )
        # Levels reviewed by a person: left as drafts for the sending dialog.
        return reminders.filtered(
            lambda r: r.partner_id in partners
            and not r.level_id.manual_review
            and r.level_number >= self.min_level
            and (not self.max_level or r.level_number <= self.max_level)
        )

    # ------------------------------------------------------------------
    # Execution (for one batch of customers of a run)
    # ------------------------------------------------------------------

    def _execute(self, run, as_of, partners):
        """Run this action for the customers ``partners`` of a batch; return
        False when it logged an error."""
        self.ensure_one()
        return getattr(self, f"_execute_{self.action_type}")(run, as_of, partners)

    def _execute_create(self, run, as_of, partners):
        # Promises first: a broken promise resumes the reminders today, a kept
        # one is closed before anything is created.
        self.env["account.dunning.promise"]._check_promises(
            as_of, self.automation_id.company_id, partners=partners
        )
        automation = self.automation_id
        # No "created" note per reminder: the run's log lists the reminders it
        # created, and their chatter starts with their issue.
        reminder_model = self.env["account.dunning.reminder"].with_context(mail_create_nolog=True)
        partners = automation._filter_partners(partners, self._partner_filter_domain())
        # Archived customers are never reminded: said in the run's log.
        for partner in partners.filtered(lambda p: not p.commercial_partner_id.active):
            run._log_error(
                self,
                self.env._(
                    "%(partner)s is archived: no reminder is created for it. "
                    "Restore the customer to remind it.",
                    partner=partner.display_name,
                ),
                partner=partner,
                severity="warning",
            )
            partners -= partner
        if not partners:
            return True
        values = {
            "as_of": as_of,
            "include_not_due": self.include_not_due,
            "include_blocked": self.include_blocked,
        }
        if self.set_highest_level:
            reminder_model = reminder_model.with_context(dunning_highest_level=True)
        ok = True
        try:
            # All the customers of the batch at once (set-based)...
            with self.env.cr.savepoint():
                reminders = reminder_model._create_reminders(partners=partners, **values)
        except Exception:  # pylint: disable=broad-except
            # ... and when one fails, again one by one, so that only that
            # customer is left out and logged.
            reminders = reminder_model.browse()
            for partner in partners:
                try:
                    with self.env.cr.savepoint():
                        reminders |= reminder_model._create_reminders(
                            partners=partner, **values
                        )
                except Exception as exc:  # pylint: disable=broad-except
                    self._log_reminder_error(run, exc, partner=partner)
                    ok = False
        run._count("created_count", reminders)
        return ok

    def _execute_issue(self, run, as_of, partners):  # pylint: disable=unused-argument
        drafts = self._filtered_reminders("draft", partners)
        if self.charges_date == "reminder":
            drafts = drafts.with_context(dunning_charges_date="reminder")
        # The batch issued at once (the items' levels written in a few
        # set-based writes), one by one when one of them fails.
        return self._for_each(
            run,
            drafts,
            "issued_count",
            lambda r: r.action_issue(),
            bulk=lambda reminders: reminders.action_issue(),
        )

    def _execute_send(self, run, as_of, partners):
        """Send the issued reminders of the batch, then thank its customers
        who paid everything since their last reminder."""
        ok = self._send_issued(run, as_of, partners)
        self._thank_paid(as_of, partners)
        return ok

    def _thank_paid(self, as_of, partners):
        """The customers of the batch with a sent reminder not thanked yet
        (the run's queue holds them even when nothing is left open): thanked
        once (see account.dunning.thanks._dunning_send_thanks)."""
        automation = self.automation_id
        reminders = self.env["account.dunning.reminder"]
        thanked = automation._filter_partners(
            reminders.search(
                [
                    ("company_id", "=", automation.company_id.id),
                    ("partner_id", "in", partners.ids),
                    ("state", "=", "sent"),
                    ("thanked_date", "=", False),
                ]
            ).partner_id,
            self._partner_filter_domain(),
        )
        if thanked:
            thanks = self.env["account.dunning.thanks"]
            thanks._dunning_send_thanks(automation.company_id, as_of, thanked)

    def _send_issued(self, run, as_of, partners):
        # Through the sending wizard's shared entry point, like the list's
        # "Send": issued and not delivered reminders, each in its own
        # savepoint, the emails of the batch rendered together and queued.
        # The run's id in the context: a failed email is logged on the run,
        # and a reminder sent with a shortcoming (no PDF engine for its
        # letter) adds a warning entry to the run's log.
        resend = self._reminders_to_resend(as_of, partners)
        issued = (self._filtered_reminders("issued", partners) | resend).with_context(
            dunning_resend_ids=resend.ids,
            dunning_run_id=run.id,
            dunning_automation_run_id=run.id,
            dunning_automation_action_id=self.id,
        )
        if not issued:
            return True
        result = self.env["account.dunning.send"]._send_reminders(issued, queue_emails=True)
        done = result["sent"]
        errors = [
            (reminder, exc, self._error_details(exc)) for reminder, exc in result["errors"]
        ]
        # An email refused by the mail server at once is not "sent": it was
        # logged as an error of the run by the reminder.
        failed = done.filtered(lambda r: r.send_state == "failed")
        ok = self._record_results(run, "sent_count", done - failed, errors)
        return ok and not failed

    def _reminders_to_resend(self, as_of, partners):
        """Sent reminders that may go out again (Business Central's "times a
        reminder may be sent"): sent fewer times than ``max_sends``, the last
        time at least ``min_days_between_sends`` days ago, still the newest
        reminder of their customer and currency, an item still open."""
        self.ensure_one()
        if self.max_sends <= 1:
            return self.env["account.dunning.reminder"]
        sent = self._filtered_reminders("sent", partners).filtered(
            lambda r: r.send_count < self.max_sends
            and r.sent_date
            and (as_of - r.sent_date).days >= self.min_days_between_sends
        )
        if not sent:
            return sent
        newer = self.env["account.dunning.reminder"].search(
            [
                ("partner_id", "in", sent.partner_id.ids),
                ("company_id", "=", self.automation_id.company_id.id),
                ("state", "in", ("issued", "sent")),
            ]
        )
        latest = {}
        for reminder in newer:
            key = (reminder.partner_id, reminder.currency_id)
            if key not in latest or (reminder.issue_date, reminder.id) > (
                latest[key].issue_date,
                latest[key].id,
            ):
                latest[key] = reminder
        return sent.filtered(
            lambda r: latest.get((r.partner_id, r.currency_id)) == r
            and any(
                not line._dunning_item_gone() and line.move_line_id.amount_residual > 0
                for line in r.line_ids.filtered(lambda l: l.line_type == "overdue")
            )
        )

    def _for_each(self, run, reminders, counter, method, bulk=None):
        """Apply ``method`` to each reminder; a failing reminder gets an
        error entry and the others go on."""
        done, errors = self._apply_each(reminders, method, bulk=bulk)
        return self._record_results(run, counter, done, errors)

    def _apply_each(self, reminders, method, bulk=None):
        """Apply ``method`` to the reminders: first to all of them in one
        savepoint (``bulk(reminders)`` when given, else ``method`` in a loop),
        and when anything fails, again to each reminder in its own savepoint
        (like account's _autopost_draft_entries). Any error (a user error, a
        serialization failure because someone changed the items meanwhile, a
        bug) rolls back that reminder only. Returns the reminders done and the
        errors ``(reminder, exception, traceback)``, logged by the caller (an
        enclosing savepoint may still roll back)."""
        done = self.env["account.dunning.reminder"]
        errors = []
        if len(reminders) > 1:
            try:
                with self.env.cr.savepoint():
                    if bulk:
                        bulk(reminders)
                    else:
                        for reminder in reminders:
                            method(reminder)
                return reminders, errors
            except Exception:  # pylint: disable=broad-except
                _logger.debug("Batch failed, applying one by one", exc_info=True)
        for reminder in reminders:
            try:
                with self.env.cr.savepoint():
                    method(reminder)
                done |= reminder
            except Exception as exc:  # pylint: disable=broad-except
                if not isinstance(exc, UserError | ValidationError):
                    _logger.warning(
                        "Reminder automation %s: %s failed",
                        self.automation_id.name,
                        reminder.name,
                        exc_info=True,
                    )
                errors.append((reminder, exc, self._error_details(exc)))
        return done, errors

    def _record_results(self, run, counter, done, errors):
        for reminder, exc, details in errors:
            self._log_reminder_error(run, exc, reminder=reminder, details=details)
        run._count(counter, done)
        return not errors

    def _log_reminder_error(self, run, exc, reminder=None, partner=None, details=None):
        return run._log_error(
            self,
            self._error_message(exc),
            reminder=reminder,
            partner=partner,
            details=details or self._error_details(exc),
        )

    @api.model
    def _error_message(self, exc):
        """Message of an error entry: the text of a user error, the kind and
        text of any other error."""
        if isinstance(exc, UserError | ValidationError):
            return exc.args[0]
        return self.env._(
            "Unexpected error (%(kind)s): %(error)s",
            kind=type(exc).__name__,
            error=str(exc).strip() or repr(exc),
        )

    @api.model
    def _error_details(self, exc):
        """Traceback of an unexpected error (none for user errors)."""
        if isinstance(exc, UserError | ValidationError):
            return False
        return "".join(traceback.format_exception(exc))
