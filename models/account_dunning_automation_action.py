# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.safe_eval import safe_eval


class AccountDunningAutomationAction(models.Model):
    """One step of a reminder automation: create, issue or send reminders."""

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
        help="When this action logs an error, the automation stops: the next "
        "actions are not run."
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
            action._partner_filter_domain()

    def _partner_filter_domain(self):
        self.ensure_one()
        return self._parse_domain(self.partner_domain, self.automation_id.display_name)

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

    @api.model
    def _parse_domain(self, text, owner):
        """The customer filter ``text`` as a domain on res.partner."""
        try:
            domain = safe_eval(text or "[]")
            if not isinstance(domain, list | tuple):
                raise ValueError("not a list")
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

    def _company_reminders(self, state):
        """Reminders of the automation's company in ``state``."""
        return self.env["account.dunning.reminder"].search(
            [("state", "=", state), ("company_id", "=", self.automation_id.company_id.id)]
        )

    def _filtered_reminders(self, state):
        """Reminders in ``state`` selected by the filters and the level range."""
        self.ensure_one()
        reminders = self._company_reminders(state)
        partners = self.automation_id._filter_partners(
            reminders.partner_id, self._partner_filter_domain()
        )
        return reminders.filtered(
            lambda r: r.partner_id in partners
            and r.level_number >= self.min_level
            and (not self.max_level or r.level_number <= self.max_level)
        )

    # ------------------------------------------------------------------
    # Execution
    # ------------------------------------------------------------------

    def _execute(self, run, as_of):
        """Run this action; return False when it logged an error."""
        self.ensure_one()
        return getattr(self, f"_execute_{self.action_type}")(run, as_of)

    def _execute_create(self, run, as_of):
        automation = self.automation_id
        reminder_model = self.env["account.dunning.reminder"]
        open_lines = reminder_model._dunning_open_lines(automation.company_id)
        # The customers with a draft are processed too: a draft whose items
        # were all paid is cancelled instead of failing at issue.
        drafts = self._company_reminders("draft")
        partners = automation._filter_partners(
            open_lines.partner_id.commercial_partner_id | drafts.partner_id,
            self._partner_filter_domain(),
        )
        if not partners:
            return True
        reminders = reminder_model._create_reminders(
            partners=partners,
            as_of=as_of,
            include_not_due=self.include_not_due,
            include_blocked=self.include_blocked,
        )
        run.write(
            {
                "created_count": run.created_count + len(reminders),
                "reminder_ids": [fields.Command.link(r.id) for r in reminders],
            }
        )
        return True

    def _execute_issue(self, run, as_of):  # pylint: disable=unused-argument
        drafts = self._filtered_reminders("draft")
        return self._for_each(run, drafts, "issued_count", lambda r: r.action_issue())

    def _execute_send(self, run, as_of):  # pylint: disable=unused-argument
        # Issued and not delivered: a reminder is never sent twice by
        # automations; one whose email failed gets the same email again, one
        # whose email is still queued waits for the mail queue.
        issued = self._filtered_reminders("issued").filtered(
            lambda r: r.send_state != "queued"
        )
        attempted = []

        def send(reminder):
            reminder.with_context(dunning_run_id=run.id)._send_automatic()
            attempted.append(reminder)

        ok = self._for_each(run, issued, "sent_count", send)
        # An email refused by the mail server at once is not "sent": it was
        # logged as an error of the run by the reminder.
        failed = [r for r in attempted if r.send_state == "failed"]
        if failed:
            run.sent_count = max(run.sent_count - len(failed), 0)
            ok = False
        return ok

    def _for_each(self, run, reminders, counter, method):
        """Apply ``method`` to each reminder in its own savepoint; a failing
        reminder gets an error entry and the others go on."""
        ok = True
        done = self.env["account.dunning.reminder"]
        for reminder in reminders:
            try:
                with self.env.cr.savepoint():
                    method(reminder)
                done |= reminder
            except (UserError, ValidationError) as exc:
                run._log_error(self, exc.args[0], reminder)
                ok = False
        run.write(
            {
                counter: run[counter] + len(done),
                "reminder_ids": [fields.Command.link(r.id) for r in done],
            }
        )
        return ok
