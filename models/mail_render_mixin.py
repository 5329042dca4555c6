# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models

from .ir_qweb import MEMO_KEY


class MailRenderMixin(models.AbstractModel):
    _inherit = "mail.render.mixin"

    @api.model
    def _render_template_qweb(self, template_src, model, res_ids, add_context=None, options=None):
        """Reminder emails of a batch: the template compiled once for all of
        them (see ir.qweb._compile in this module), the rendering itself
        unchanged (same values, same checks, one record at a time)."""
        if model != "account.dunning.reminder" or len(res_ids) < 2 or MEMO_KEY in self.env.context:
            return super()._render_template_qweb(
                template_src, model, res_ids, add_context=add_context, options=options
            )
        return super(MailRenderMixin, self.with_context(**{MEMO_KEY: {}}))._render_template_qweb(
            template_src, model, res_ids, add_context=add_context, options=options
        )
