# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date


class AccountDunningCreateWizard(models.TransientModel):
    _name = "account.dunning.create.wizard"
    _description = "Create Payment Reminders"

    date = fields.Date(
        string="Reminder Date",
        required=True,
        default=fields.Date.context_today,
        help="Overdue items and levels are computed at this date.",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        help="Leave empty to create reminders for every customer.",
    )
    include_not_due = fields.Boolean(
        string="List Items Not Yet Due",
        help="Also list the open invoices that are not yet due.",
    )
    include_blocked = fields.Boolean(
        string="List Items on Hold",
        help="Also list the invoices on hold (disputes), for information: they "
        "are never escalated nor counted in the amount due.",
    )

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if (
            "partner_ids" in fields_list
            and self.env.context.get("active_model") == "res.partner"
            and self.env.context.get("active_ids")
        ):
            res["partner_ids"] = [
                fields.Command.set(self.env.context["active_ids"])
            ]
        return res

    state = fields.Selection(
        [("setup", "Set Up"), ("done", "Done")], default="setup", readonly=True
    )
    reminder_ids = fields.Many2many(
        "account.dunning.reminder",
        string="Reminders",
        readonly=True,
        help="Draft reminders created or recomputed.",
    )
    created_count = fields.Integer(string="Created", readonly=True)
    refreshed_count = fields.Integer(
        string="Recomputed",
        readonly=True,
        help="Existing drafts recomputed at the date (never duplicated).",
    )
    cancelled_count = fields.Integer(
        string="Drafts Cancelled",
        readonly=True,
        help="Drafts cancelled: nothing was left to remind for their customer.",
    )
    skipped_count = fields.Integer(
        string="Customers Skipped",
        readonly=True,
        help="Customers with overdue items and no reminder, for the reasons "
        "listed.",
    )
    skipped_summary = fields.Text(string="Skipped Customers", readonly=True)

    def action_create(self):
        self.ensure_one()
        reminder_model = self.env["account.dunning.reminder"]
        partners = self.partner_ids or None
        company = self.env.company
        draft_domain = [("state", "=", "draft"), ("company_id", "=", company.id)]
        if partners is not None:
            draft_domain.append(("partner_id", "in", partners.commercial_partner_id.ids))
        drafts = reminder_model.search(draft_domain)
        reminders = reminder_model._create_reminders(
            partners=partners,
            as_of=self.date,
            include_not_due=self.include_not_due,
            include_blocked=self.include_blocked,
        )
        skipped = self._skipped_reasons(partners, reminders)
        if not reminders:
            message = self.env._(
                "No reminder to create on %(date)s: no open item of the "
                "selected customers reaches a new reminder level.",
                date=format_date(self.env, self.date),
            )
            if skipped:
                message += "\n" + "\n".join(
                    f"- {partner.display_name}: {reason}" for partner, reason in skipped
                )
            raise UserError(message)
        self.write(
            {
                "state": "done",
                "reminder_ids": [fields.Command.set(reminders.ids)],
                "created_count": len(reminders - drafts),
                "refreshed_count": len(reminders & drafts),
                "cancelled_count": len(drafts.filtered(lambda d: d.state == "cancel")),
                "skipped_count": len(skipped),
                "skipped_summary": "\n".join(
                    f"{partner.display_name}: {reason}" for partner, reason in skipped
                )
                or False,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reminders Created"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def _skipped_reasons(self, partners, reminders):
        """``[(customer, reason)]`` of the customers with overdue items that
        got no draft reminder at the wizard's date."""
        company = self.env.company
        policy_model = self.env["account.dunning.contact.policy"]
        open_lines = policy_model._dunning_open_lines(company, partners)
        overdue = open_lines.filtered(
            lambda l: l.amount_residual > 0 and l._dunning_due_date() < self.date
        )
        customers = overdue.partner_id.commercial_partner_id - reminders.partner_id
        if not customers:
            return []
        quiet = policy_model._dunning_quiet_partners(customers, self.date)
        skipped = []
        for partner in customers.sorted("display_name"):
            if partner.with_company(company).dunning_blocked:
                reason = self.env._("on hold (No Reminders on the customer).")
            elif partner in quiet:
                reason = self.env._(
                    "reminded too recently (contact policy of their terms): next "
                    "reminder from %(date)s.",
                    date=format_date(self.env, quiet[partner]),
                )
            else:
                reason = self.env._(
                    "no overdue item reaches a new reminder level (levels not due "
                    "yet, all levels reached or amount below the minimum)."
                )
            skipped.append((partner, reason))
        return skipped

    def action_open_reminders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning_automation.action_account_dunning_reminder"
        )
        action["domain"] = [("id", "in", self.reminder_ids.ids)]
        action["context"] = {}
        return action
