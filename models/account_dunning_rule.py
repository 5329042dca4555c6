# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from types import MappingProxyType

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.safe_eval import safe_eval

RULE_MODELS = (("res.partner", "Customer"), ("account.move", "Invoice"))

# Trigger of the rule -> trigger of the underlying base.automation.
BASE_TRIGGERS = MappingProxyType(
    {
        "on_create": "on_create",
        "on_write": "on_write",
        "on_create_or_write": "on_create_or_write",
        "on_field_change": "on_write",
    }
)


class AccountDunningRule(models.Model):
    """A reminder rule, like Recovr's: when a customer or an invoice is
    created or updated and matches the filter, run an ordered list of safe
    actions.

    The rule is kept in sync with an Odoo automation rule (base.automation)
    and its server actions, which only administrators may edit: reminder
    administrators (accountants) maintain the collection strategy here, where
    no Python code can be entered."""

    _name = "account.dunning.rule"
    _description = "Reminder Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        help="Invoices of this company only; reminder terms and account "
        "managers are assigned for this company.",
    )
    model_name = fields.Selection(
        list(RULE_MODELS), string="Applies To", required=True, default="account.move"
    )
    model_id = fields.Many2one(
        "ir.model", compute="_compute_model_id", compute_sudo=True
    )
    trigger = fields.Selection(
        [
            ("on_create", "Created"),
            ("on_write", "Updated"),
            ("on_create_or_write", "Created or updated"),
            ("on_field_change", "A field is changed"),
        ],
        required=True,
        default="on_create_or_write",
    )
    trigger_field_ids = fields.Many2many(
        "ir.model.fields",
        string="Fields Watched",
        domain="[('model_id', '=', model_id), ('store', '=', True)]",
        help="The rule runs when one of these fields changes.",
    )
    filter_domain = fields.Char(
        string="Filter",
        default="[]",
        help="The rule applies to the records matching this filter.",
    )
    action_ids = fields.One2many(
        "account.dunning.rule.action", "rule_id", string="Actions", copy=True
    )
    automation_id = fields.Many2one(
        "base.automation",
        string="Automation Rule",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="Odoo automation rule generated from this rule (administrators "
        "see it under Settings > Technical > Automation Rules).",
    )

    @api.depends("model_name")
    def _compute_model_id(self):
        for rule in self:
            rule.model_id = self.env["ir.model"]._get(rule.model_name)

    @api.onchange("model_name")
    def _onchange_model_name(self):
        self.trigger_field_ids = False
        self.filter_domain = "[]"

    @api.constrains("filter_domain", "model_name")
    def _check_filter_domain(self):
        for rule in self:
            try:
                domain = safe_eval(rule.filter_domain or "[]")
                self.env[rule.model_name].search(list(domain), limit=1)
            except Exception as exc:
                raise ValidationError(
                    self.env._(
                        "Reminder rule %(name)s: the filter %(filter)s is not "
                        "valid: %(error)s",
                        name=rule.name,
                        filter=rule.filter_domain,
                        error=exc,
                    )
                ) from exc

    @api.constrains("trigger", "trigger_field_ids", "model_name")
    def _check_trigger_fields(self):
        for rule in self:
            if rule.trigger == "on_field_change" and not rule.trigger_field_ids:
                raise ValidationError(
                    self.env._(
                        "Reminder rule %(name)s: choose the fields whose change "
                        "triggers it.",
                        name=rule.name,
                    )
                )
            if rule.trigger_field_ids.filtered(
                lambda f, rule=rule: f.model != rule.model_name
            ):
                raise ValidationError(
                    self.env._(
                        "Reminder rule %(name)s: the fields watched must be fields "
                        "of the records the rule applies to.",
                        name=rule.name,
                    )
                )

    # ------------------------------------------------------------------
    # Synchronisation with base.automation
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_model_name(vals)
        rules = super().create(vals_list)
        rules._sync_automation()
        return rules

    @api.model
    def _check_model_name(self, vals):
        """A clear error for a rule on another model (RPC), where the ORM
        would raise a bare ValueError."""
        if "model_name" in vals and vals["model_name"] not in dict(RULE_MODELS):
            raise ValidationError(
                self.env._(
                    "Reminder rules apply to customers or invoices only, not to "
                    "%(model)s.",
                    model=vals["model_name"],
                )
            )

    def write(self, vals):
        self._check_model_name(vals)
        res = super().write(vals)
        if not self.env.context.get("dunning_rule_sync"):
            self._sync_automation()
        return res

    def unlink(self):
        automations = self.sudo().automation_id
        res = super().unlink()
        # The generated automation rule and its server actions go with the
        # rule (as superuser: only administrators may delete them directly).
        automations.action_server_ids.unlink()
        automations.unlink()
        return res

    def _automation_domain(self):
        """The filter of the rule, limited to its company for invoices."""
        self.ensure_one()
        domain = list(safe_eval(self.filter_domain or "[]"))
        if self.model_name == "account.move":
            domain = [("company_id", "=", self.company_id.id)] + domain
        return repr(domain)

    def _sync_automation(self):
        """Create or update the base.automation of each rule and one server
        action per rule action, in the order of the rule's actions.

        As superuser, with a reason: base.automation and ir.actions.server
        can run Python code and are therefore administrators-only; what is
        written here is only what the reminder rule allows (a domain and
        server actions of the module's own "Reminder Rule Action" type), so a
        reminder administrator gets no way to run code."""
        env = self.sudo().env
        for rule in self.sudo():
            model = env["ir.model"]._get(rule.model_name)
            values = {
                "name": self.env._("Reminder rule: %(name)s", name=rule.name),
                "model_id": model.id,
                "active": rule.active,
                "trigger": BASE_TRIGGERS[rule.trigger],
                "trigger_field_ids": [
                    Command.set(
                        rule.trigger_field_ids.ids
                        if rule.trigger == "on_field_change"
                        else []
                    )
                ],
                "filter_domain": rule._automation_domain(),
            }
            automation = rule.automation_id
            if automation and automation.model_id != model:
                automation.action_server_ids.unlink()
            if automation:
                automation.write(values)
            else:
                automation = env["base.automation"].create(values)
                rule.with_context(dunning_rule_sync=True).automation_id = automation
            rule.action_ids._sync_server_action(automation)
            # Server actions of actions removed from the rule.
            (automation.action_server_ids - rule.action_ids.server_action_id).unlink()
