# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    def _get_actions(self, records, triggers):
        """The automation rules generated from reminder rules run in the
        order of the reminder rules (their sequence, as the list shows it,
        then their creation): when two rules set the terms of one invoice,
        the later one in the list wins, always. Odoo runs automation rules
        in the order of their ids; the other rules keep their places."""
        automations = super()._get_actions(records, triggers)
        if records._name not in ("res.partner", "account.move") or len(automations) < 2:
            return automations
        rules = (
            self.env["account.dunning.rule"]
            .sudo()
            .with_context(active_test=False)
            .search([("automation_id", "in", automations.ids)])
        )
        if len(rules) < 2:
            return automations
        rank = {rule.automation_id.id: (rule.sequence, rule.id) for rule in rules}
        ids = list(automations.ids)
        slots = [index for index, automation_id in enumerate(ids) if automation_id in rank]
        ordered = sorted((ids[index] for index in slots), key=rank.__getitem__)
        for index, automation_id in zip(slots, ordered, strict=True):
            ids[index] = automation_id
        return automations.browse(ids)
