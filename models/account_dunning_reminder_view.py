# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models


class AccountDunningReminder(models.Model):
    _inherit = "account.dunning.reminder"

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """The confirmation of "Cancel" with buttons that say what they do,
        in the user's language: the web client's default buttons read
        "Ok / Annuler" in French (its "Ok" is not translated), and the
        button attributes naming them are not translated with the view
        (views are cached per language, as this result)."""
        arch, view = super()._get_view(view_id, view_type, **options)
        for node in arch.xpath("//button[@name='action_cancel'][@confirm]"):
            node.set("confirm-title", self.env._("Cancel the Reminder"))
            node.set("confirm-label", self.env._("Cancel the Reminder"))
            node.set("cancel-label", self.env._("Keep It"))
        return arch, view
