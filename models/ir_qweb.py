# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from lxml import etree

from odoo import models

# Context key of the compiled inline templates of one rendering (see
# mail.render.mixin._render_template_qweb in this module).
MEMO_KEY = "dunning_qweb_memo"


class IrQweb(models.AbstractModel):
    _inherit = "ir.qweb"

    def _compile(self, template):
        """Compile an inline template once per rendering of many records.

        Odoo renders a mail template body (an inline template, not a view)
        record by record and compiles it again for each: a third of the time
        of sending a batch of reminder emails. With a memo in the context,
        the compiled functions are reused for the same source under the same
        compile options, the keys Odoo itself caches compiled views on. A
        view (the notification layout of a batch of emails) is memoized the
        same way: the functions Odoo's cache returns, without asking it for
        each email."""
        memo = self.env.context.get(MEMO_KEY)
        if memo is None or not isinstance(template, etree._Element | str | int):
            return super()._compile(template)
        try:
            key = (
                # (a view by its reference: the notification layout of the
                # emails, looked up in Odoo's caches for each email otherwise)
                etree.tostring(template) if isinstance(template, etree._Element) else template,
                "is_t_cache_disabled" in self.env.context,
                tuple(self.env.context.get(k) for k in self._get_template_cache_keys()),
            )
            hash(key)
        except TypeError:
            return super()._compile(template)
        if key not in memo:
            memo[key] = super()._compile(template)
        return memo[key]
