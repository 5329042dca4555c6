# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import UserError


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

    def action_create(self):
        self.ensure_one()
        reminders = self.env["account.dunning.reminder"]._create_reminders(
            partners=self.partner_ids or None,
            as_of=self.date,
            include_not_due=self.include_not_due,
            include_blocked=self.include_blocked,
        )
        if not reminders:
            quiet = self.env["account.dunning.reminder"]._dunning_quiet_partners(
                self.partner_ids or None, self.date
            )
            message = self.env._(
                "No reminder to create on %(date)s: no open item of the "
                "selected customers reaches a new reminder level.",
                date=fields.Date.to_string(self.date),
            )
            if quiet:
                message += "\n" + self.env._(
                    "Reminded too recently (contact policy of their terms): "
                    "%(partners)s.",
                    partners=", ".join(
                        self.env._(
                            "%(partner)s (next reminder from %(date)s)",
                            partner=partner.display_name,
                            date=fields.Date.to_string(next_date),
                        )
                        for partner, next_date in quiet.items()
                    ),
                )
            raise UserError(message)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning_automation.action_account_dunning_reminder"
        )
        action["domain"] = [("id", "in", reminders.ids)]
        action["context"] = {}
        return action
