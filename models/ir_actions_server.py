# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import ValidationError

DUNNING_ACTION_MODELS = ("res.partner", "account.move")


class IrActionsServer(models.Model):
    """Server action types for reminder rules (base_automation): assign
    reminder terms, assign an account manager. "Set a fixed value" and "copy a
    field" are Odoo's own "Update Record" actions (value or expression)."""

    _inherit = "ir.actions.server"

    state = fields.Selection(
        selection_add=[
            ("dunning_term", "Assign Reminder Terms"),
            ("dunning_manager", "Assign Account Manager"),
            ("dunning_rule_action", "Reminder Rule Action"),
        ],
        ondelete={
            "dunning_term": "cascade",
            "dunning_manager": "cascade",
            "dunning_rule_action": "cascade",
        },
    )
    dunning_rule_action_id = fields.Many2one(
        "account.dunning.rule.action",
        string="Reminder Rule Action",
        ondelete="cascade",
        help="Action of a reminder rule (Accounting > Configuration > Payment "
        "Reminders > Reminder Rules) that this server action runs.",
    )
    dunning_term_id = fields.Many2one(
        "account.dunning.term",
        string="Reminder Terms to Assign",
        ondelete="restrict",
        help="Set on the customer (for its company) or as the override of the "
        "invoice.",
    )
    dunning_user_id = fields.Many2one(
        "res.users",
        string="Account Manager to Assign",
        ondelete="set null",
        help="Set as account manager of the customer (of the invoice).",
    )

    @api.constrains("state", "model_id", "dunning_term_id", "dunning_user_id")
    def _check_dunning_action(self):
        for action in self:
            if action.state not in ("dunning_term", "dunning_manager"):
                continue
            if action.model_id.model not in DUNNING_ACTION_MODELS:
                raise ValidationError(
                    self.env._(
                        "Action %(name)s: reminder terms and account managers can "
                        "only be assigned by rules on customers or invoices.",
                        name=action.name,
                    )
                )
            if action.state == "dunning_term" and not action.dunning_term_id:
                raise ValidationError(
                    self.env._(
                        "Action %(name)s: choose the reminder terms to assign.",
                        name=action.name,
                    )
                )
            if action.state == "dunning_manager" and not action.dunning_user_id:
                raise ValidationError(
                    self.env._(
                        "Action %(name)s: choose the account manager to assign.",
                        name=action.name,
                    )
                )

    @api.depends("dunning_term_id", "dunning_user_id")
    def _compute_name(self):
        """Name the rule actions after what they assign (base_automation names
        the actions of automation rules)."""
        res = super()._compute_name()
        for action in self.filtered("base_automation_id"):
            if action.state == "dunning_term":
                action.name = self.env._(
                    "Assign reminder terms: %(term)s", term=action.dunning_term_id.name
                )
            elif action.state == "dunning_manager":
                action.name = self.env._(
                    "Assign account manager: %(user)s", user=action.dunning_user_id.name
                )
        return res

    def _dunning_records(self, eval_context):
        records = (eval_context or {}).get("records") or (eval_context or {}).get(
            "record"
        )
        return records or self.env[self.model_id.model]

    def _run_action_dunning_rule_action_multi(self, eval_context=None):
        self.dunning_rule_action_id._apply(self._dunning_records(eval_context))
        return False

    def _run_action_dunning_term_multi(self, eval_context=None):
        term = self.dunning_term_id
        # As superuser: the rule fires whoever saves the record, and the
        # reminder fields are for reminder users only.
        records = self._dunning_records(eval_context).sudo()
        if records._name == "res.partner":
            partners = records.commercial_partner_id
            partners.with_company(term.company_id).write({"dunning_term_id": term.id})
        else:
            moves = records.filtered(
                lambda m: m.is_sale_document(include_receipts=True)
                and m.company_id == term.company_id
                and m.dunning_term_id != term
            )
            moves.write({"dunning_term_id": term.id})
        return False

    def _run_action_dunning_manager_multi(self, eval_context=None):
        user = self.dunning_user_id
        # As superuser: see _run_action_dunning_term_multi.
        records = self._dunning_records(eval_context).sudo()
        if records._name == "res.partner":
            records.commercial_partner_id.write({"dunning_responsible_id": user.id})
            return False
        for company, moves in records.grouped("company_id").items():
            moves.partner_id.commercial_partner_id.with_company(company).write(
                {"dunning_responsible_id": user.id}
            )
        return False
