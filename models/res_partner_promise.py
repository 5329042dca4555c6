# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import fields, models

from .account_move import DUNNING_READ_GROUPS


class ResPartner(models.Model):
    """Promises to pay of a customer."""

    _inherit = "res.partner"

    dunning_promise_ids = fields.One2many(
        "account.dunning.promise",
        "partner_id",
        string="Promises to Pay",
        readonly=True,
        groups=DUNNING_READ_GROUPS,
    )
    dunning_promise_count = fields.Integer(
        string="Promise Count",
        compute="_compute_dunning_promise_count",
        groups=DUNNING_READ_GROUPS,
    )

    def _compute_dunning_promise_count(self):
        data = self.env["account.dunning.promise"]._read_group(
            [("partner_id", "in", self.commercial_partner_id.ids)],
            ["partner_id"],
            ["__count"],
        )
        counts = {partner.id: count for partner, count in data}
        for partner in self:
            partner.dunning_promise_count = counts.get(partner.commercial_partner_id.id, 0)

    def action_new_dunning_promise(self):
        """Open the form of a new promise to pay of the customer, its amount
        starting at what the customer has overdue (from a reminder: the
        reminder's total due), not at 0."""
        self.ensure_one()
        context = dict(self.env.context, default_partner_id=self.commercial_partner_id.id)
        if "default_amount" not in context:
            reminder = self.env["account.dunning.reminder"].browse(
                context.get("default_reminder_id")
            ).exists()
            amount = (
                reminder.amount_total_company
                if reminder
                else self.commercial_partner_id.dunning_amount_overdue
            )
            context["default_amount"] = max(amount, 0.0)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Promise to Pay"),
            "res_model": "account.dunning.promise",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    def action_view_dunning_promises(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning_automation.action_account_dunning_promise"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action
