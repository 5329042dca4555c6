# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _render_field(self, field, res_ids, *args, **kwargs):
        """The reminder emails of a batch (automation's send step, context
        ``dunning_render_from_template``): subject and body rendered by the
        template, each reminder in its customer's language.

        Odoo renders the template only when it considers the composer's body
        unchanged; the composer stores its body sanitized for outgoing
        emails, which differs from the template's (spacing of the styles),
        so Odoo rendered the composer's body, read in the language of the
        user running the batch, for every customer. The composer of a batch
        is created from the template alone and never edited (see
        account.dunning.send._send_queued_emails): the template decides."""
        if (
            self.env.context.get("dunning_render_from_template")
            and self.template_id
            and self.model == "account.dunning.reminder"
            and field in ("subject", "body")
        ):
            kwargs["compute_lang"] = True
            # As the composer does for a body equal to its template's: the
            # template is master data, rendered whatever the user's rights
            # on templates.
            return self.template_id.sudo()._render_field(
                "body_html" if field == "body" else field, res_ids, *args, **kwargs
            )
        return super()._render_field(field, res_ids, *args, **kwargs)
