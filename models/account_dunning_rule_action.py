# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
from types import MappingProxyType

from odoo import api, fields, models
from odoo.exceptions import ValidationError

_logger = logging.getLogger(__name__)

# Field types a rule may set to a fixed value or copy (no relational value
# typed as text, no binary): what an accountant structures data with.
VALUE_TYPES = (
    "char",
    "text",
    "html",
    "boolean",
    "integer",
    "float",
    "monetary",
    "selection",
    "date",
)
COPY_TYPES = VALUE_TYPES + ("many2one",)
TRUE_WORDS = ("1", "true", "yes", "y", "oui", "vrai", "x")

# Fields a rule may set or fill, per model: an allow-list, not a deny-list.
# The rule writes as superuser whoever saves the record, so it may only write
# what belongs to the collection strategy: the module's own reminder fields
# and a few descriptive fields. Never a state, an amount, an account, a user,
# a company, an email or a company-dependent accounting property (the terms
# and the account manager have their own actions, written per company).
RULE_TARGET_FIELDS = MappingProxyType(
    {
        "res.partner": ("dunning_blocked", "comment", "ref", "industry_id"),
        "account.move": ("dunning_blocked", "dunning_block_reason", "dunning_term_id"),
    }
)
# Models a copied or set relational value may never point to.
FORBIDDEN_RELATIONS = (
    "res.users",
    "res.company",
    "res.groups",
    "account.account",
    "account.journal",
    "ir.model",
    "ir.model.fields",
)


def _target_domain():
    """Domain of the fields a rule may set (see RULE_TARGET_FIELDS)."""
    domain = ["|"] * (len(RULE_TARGET_FIELDS) - 1)
    for model, names in RULE_TARGET_FIELDS.items():
        domain += ["&", ("model", "=", model), ("name", "in", list(names))]
    return domain


class AccountDunningRuleAction(models.Model):
    """One safe action of a reminder rule, run in order by the rule."""

    _name = "account.dunning.rule.action"
    _description = "Reminder Rule Action"
    _order = "sequence, id"
    _check_company_auto = True

    rule_id = fields.Many2one(
        "account.dunning.rule", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="rule_id.company_id", store=True)
    model_name = fields.Selection(related="rule_id.model_name")
    model_id = fields.Many2one(related="rule_id.model_id")
    sequence = fields.Integer(default=10)
    action_type = fields.Selection(
        [
            ("assign_term", "Assign reminder terms"),
            ("assign_manager", "Assign account manager"),
            ("set_value", "Set a fixed value"),
            ("copy_field", "Copy a field"),
            ("add_tag", "Add a customer tag"),
        ],
        string="Action",
        required=True,
        default="assign_term",
    )
    term_id = fields.Many2one(
        "account.dunning.term", string="Reminder Terms", check_company=True
    )
    user_id = fields.Many2one(
        "res.users", string="Account Manager", domain="[('share', '=', False)]"
    )
    field_id = fields.Many2one(
        "ir.model.fields",
        ondelete="cascade",
        domain="[('model_id', '=', model_id), ('store', '=', True), "
        "('readonly', '=', False), ('ttype', 'in', %s), %s]"
        % (list(COPY_TYPES), repr(_target_domain())[1:-1]),
        help="Field to set (fixed value) or to fill (copy): the reminder fields "
        "and a few descriptive fields of the customer or the invoice.",
    )
    value = fields.Char(
        help="Fixed value: text, number, yes/no, date (YYYY-MM-DD) or the key "
        "of a selection."
    )
    source_field_id = fields.Many2one(
        "ir.model.fields",
        string="Copy From",
        ondelete="cascade",
        domain="[('model_id', '=', model_id), ('store', '=', True), "
        "('groups', '=', False), ('ttype', 'in', %s)]" % (list(COPY_TYPES),),
    )
    tag_id = fields.Many2one("res.partner.category", string="Customer Tag")
    server_action_id = fields.Many2one(
        "ir.actions.server", readonly=True, copy=False, ondelete="set null"
    )
    description = fields.Char(compute="_compute_description")

    @api.depends(
        "action_type", "term_id", "user_id", "field_id", "value", "source_field_id", "tag_id"
    )
    def _compute_description(self):
        for action in self:
            action.description = {
                "assign_term": action.term_id.display_name,
                "assign_manager": action.user_id.display_name,
                "set_value": f"{action.field_id.field_description} = {action.value or ''}",
                "copy_field": f"{action.source_field_id.field_description} → "
                f"{action.field_id.field_description}",
                "add_tag": action.tag_id.display_name,
            }.get(action.action_type) or ""

    @api.constrains(
        "action_type", "term_id", "user_id", "field_id", "value", "source_field_id", "tag_id"
    )
    def _check_action(self):
        for action in self:
            rule = action.rule_id
            missing = {
                "assign_term": not action.term_id,
                "assign_manager": not action.user_id,
                "set_value": not action.field_id,
                "copy_field": not (action.field_id and action.source_field_id),
                "add_tag": not action.tag_id,
            }[action.action_type]
            if missing:
                raise ValidationError(
                    self.env._(
                        "Reminder rule %(rule)s: complete the action %(action)s.",
                        rule=rule.name,
                        action=action._action_label(),
                    )
                )
            if action.action_type in ("set_value", "copy_field"):
                if action.field_id.model != rule.model_name or (
                    action.source_field_id
                    and action.source_field_id.model != rule.model_name
                ):
                    raise ValidationError(
                        self.env._(
                            "Reminder rule %(rule)s: the fields of the action "
                            "%(action)s must belong to the records the rule "
                            "applies to.",
                            rule=rule.name,
                            action=action._action_label(),
                        )
                    )
            if action.action_type == "set_value":
                if action.field_id.ttype not in VALUE_TYPES:
                    raise ValidationError(
                        self.env._(
                            "Reminder rule %(rule)s: field %(field)s cannot be set "
                            "to a fixed value.",
                            rule=rule.name,
                            field=action.field_id.field_description,
                        )
                    )
                action._fixed_value()  # raises on a value of the wrong type
            if action.action_type == "copy_field":
                target, source = action.field_id, action.source_field_id
                if target.ttype != source.ttype or target.relation != source.relation:
                    raise ValidationError(
                        self.env._(
                            "Reminder rule %(rule)s: %(origin)s cannot be copied "
                            "into %(target)s (different kinds of field).",
                            rule=rule.name,
                            origin=source.field_description,
                            target=target.field_description,
                        )
                    )
            if (
                action.action_type == "assign_term"
                and action.term_id.company_id != rule.company_id
            ):
                raise ValidationError(
                    self.env._(
                        "Reminder rule %(rule)s: the reminder terms %(term)s belong "
                        "to another company.",
                        rule=rule.name,
                        term=action.term_id.display_name,
                    )
                )

    @api.constrains("action_type", "field_id", "source_field_id", "user_id")
    def _check_allowed_fields(self):
        """The rule writes as superuser: only the allow-listed fields, read
        from fields its author may read, and an account manager of the rule's
        company."""
        for action in self:
            rule = action.rule_id
            if action.action_type in ("set_value", "copy_field") and not (
                action._target_allowed(rule.model_name, action.field_id.name)
            ):
                raise ValidationError(
                    self.env._(
                        "Reminder rule %(rule)s: field %(field)s cannot be set by a "
                        "rule. Rules set the reminder fields and a few descriptive "
                        "fields only (%(allowed)s).",
                        rule=rule.name,
                        field=action.field_id.field_description or action.field_id.name,
                        allowed=", ".join(
                            self.env[rule.model_name]._fields[name].get_description(
                                self.env
                            )["string"]
                            for name in RULE_TARGET_FIELDS.get(rule.model_name, ())
                        ),
                    )
                )
            if action.action_type == "copy_field" and not action._source_allowed(
                rule.model_name, action.source_field_id.name
            ):
                raise ValidationError(
                    self.env._(
                        "Reminder rule %(rule)s: field %(field)s cannot be copied by "
                        "a rule.",
                        rule=rule.name,
                        field=action.source_field_id.field_description,
                    )
                )
            if (
                action.action_type == "assign_manager"
                and rule.company_id not in action.user_id.sudo().company_ids
            ):
                raise ValidationError(
                    self.env._(
                        "Reminder rule %(rule)s: %(user)s does not work for %(company)s "
                        "and cannot be its customers' account manager.",
                        rule=rule.name,
                        user=action.user_id.display_name,
                        company=rule.company_id.display_name,
                    )
                )

    @api.model
    def _target_allowed(self, model_name, name):
        """``name`` is a field of ``model_name`` a rule may write."""
        if model_name not in RULE_TARGET_FIELDS or name not in RULE_TARGET_FIELDS[model_name]:
            return False
        field = self.env[model_name]._fields.get(name)
        # Checked again on the field itself, should another module redefine it.
        return bool(
            field
            and field.store
            and not field.readonly
            and not field.compute
            and field.type in COPY_TYPES
            # the module's own fields are restricted to the accounting
            # roles (who read them), any other field to no group
            and (not field.groups or name.startswith("dunning_"))
            and (field.type != "many2one" or field.comodel_name not in FORBIDDEN_RELATIONS)
        )

    @api.model
    def _source_allowed(self, model_name, name):
        """``name`` is a field of ``model_name`` a rule may copy: stored, of a
        copied type, readable by every internal user (no group)."""
        field = self.env[model_name]._fields.get(name) if model_name in self.env else None
        return bool(
            field
            and field.store
            and not field.groups
            and field.type in COPY_TYPES
            and (field.type != "many2one" or field.comodel_name not in FORBIDDEN_RELATIONS)
        )

    def _action_label(self):
        self.ensure_one()
        return dict(self._fields["action_type"]._description_selection(self.env))[
            self.action_type
        ]

    def _fixed_value(self):
        """The fixed value converted to the type of the field."""
        self.ensure_one()
        field = self.field_id
        text = (self.value or "").strip()
        try:
            if field.ttype == "boolean":
                return text.lower() in TRUE_WORDS
            if field.ttype == "integer":
                return int(text or 0)
            if field.ttype in ("float", "monetary"):
                return float(text.replace(",", ".") or 0)
            if field.ttype == "date":
                return fields.Date.to_date(text) if text else False
            if field.ttype == "selection":
                keys = [
                    key
                    for key, _label in self.env[field.model]
                    ._fields[field.name]
                    ._description_selection(self.env)
                ]
                if text and text not in keys:
                    raise ValueError(", ".join(str(k) for k in keys))
                return text or False
        except ValueError as exc:
            raise ValidationError(
                self.env._(
                    "Reminder rule %(rule)s: %(value)s is not a valid value for "
                    "%(field)s (%(error)s).",
                    rule=self.rule_id.name,
                    value=text,
                    field=field.field_description,
                    error=exc,
                )
            ) from exc
        return text

    # ------------------------------------------------------------------
    # Server actions and execution
    # ------------------------------------------------------------------

    def write(self, vals):
        res = super().write(vals)
        if not self.env.context.get("dunning_rule_sync"):
            self.rule_id._sync_automation()
        return res

    @api.model_create_multi
    def create(self, vals_list):
        actions = super().create(vals_list)
        if not self.env.context.get("dunning_rule_sync"):
            actions.rule_id._sync_automation()
        return actions

    def unlink(self):
        # As superuser: the generated server actions are administrators-only.
        server_actions = self.sudo().server_action_id
        res = super().unlink()
        server_actions.unlink()
        return res

    def _sync_server_action(self, automation):
        """One server action per rule action, of the module's own type, in
        the rule's order (called as superuser by the rule)."""
        for action in self:
            values = {
                "name": f"{action._action_label()}: {action.description}",
                "model_id": automation.model_id.id,
                "state": "dunning_rule_action",
                "dunning_rule_action_id": action.id,
                "sequence": action.sequence,
                "base_automation_id": automation.id,
                "usage": "base_automation",
            }
            if action.server_action_id:
                action.server_action_id.write(values)
            else:
                action.with_context(dunning_rule_sync=True).server_action_id = (
                    self.env["ir.actions.server"].sudo().create(values)
                )

    def _apply(self, records):
        """Run the action on ``records`` (customers or invoices).

        As superuser: the rule was set up by a reminder administrator and
        fires whoever saves the record (a salesman saving an invoice has no
        right on the reminder fields). Only the effect the action describes
        is written."""
        self.ensure_one()
        company = self.rule_id.company_id
        # Within the rule's company only: its invoices, and the customers
        # shared or of that company (never the contact of an internal user,
        # whose email is a login address). Company-dependent values are
        # written for that company.
        records = records.sudo().with_company(company)
        if records._name == "account.move":
            records = records.filtered(lambda m: m.company_id == company)
        else:
            records = records._dunning_rule_partners(company)
        if not records:
            return
        if self.action_type in ("set_value", "copy_field") and not (
            self._target_allowed(records._name, self.field_id.name)
            and (
                self.action_type == "set_value"
                or self._source_allowed(records._name, self.source_field_id.name)
            )
        ):
            # A rule saved before the allow-list: it does nothing now.
            _logger.warning(
                "Reminder rule %s: action on field %s skipped (not allowed)",
                self.rule_id.name,
                self.field_id.name,
            )
            return
        if self.action_type == "assign_term":
            if records._name == "res.partner":
                records.commercial_partner_id.with_company(company).write(
                    {"dunning_term_id": self.term_id.id}
                )
            else:
                records.filtered(
                    lambda m: m.is_sale_document(include_receipts=True)
                    and m.dunning_term_id != self.term_id
                ).write({"dunning_term_id": self.term_id.id})
        elif self.action_type == "assign_manager":
            partners = (
                records.commercial_partner_id
                if records._name == "res.partner"
                else records.partner_id.commercial_partner_id
            )._dunning_rule_partners(company)
            partners.with_company(company).write(
                {"dunning_responsible_id": self.user_id.id}
            )
        elif self.action_type == "set_value":
            value = self._fixed_value()
            name = self.field_id.name
            records.filtered(lambda r: r[name] != value).write({name: value})
        elif self.action_type == "copy_field":
            target, source = self.field_id.name, self.source_field_id.name
            for record in records:
                if record[target] != record[source]:
                    record[target] = record[source]
        elif self.action_type == "add_tag":
            partners = (
                records.commercial_partner_id
                if records._name == "res.partner"
                else records.partner_id.commercial_partner_id
            )._dunning_rule_partners(company)
            partners.filtered(lambda p: self.tag_id not in p.category_id).write(
                {"category_id": [fields.Command.link(self.tag_id.id)]}
            )
