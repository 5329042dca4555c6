# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import functools

from odoo import api, models

from .ir_qweb import MEMO_KEY


def _memoized(function):
    """``function`` answering the same arguments from a memo: the formatting
    helpers of one rendering of many records (the same environment, hence the
    same language and formats) are asked the same dates and amounts again
    and again, and each call looks the language up in Odoo's caches. Any
    argument that cannot be a key (unhashable) goes to ``function``."""
    memo = {}

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            # the types in the key: 1, 1.0 and True are equal keys
            key = (
                tuple((type(arg), arg) for arg in args),
                tuple(sorted((name, type(arg), arg) for name, arg in kwargs.items())),
            )
            hash(key)
        except TypeError:
            return function(*args, **kwargs)
        if key not in memo:
            memo[key] = function(*args, **kwargs)
        return memo[key]

    return wrapper


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

    @api.model
    def _render_eval_context(self):
        """Reminder emails of a batch (see above): the dates and amounts
        formatted once per value for all of them. The helpers of Odoo are
        bound to this environment (language, formats), which one rendering
        of the batch does not change, so a value formatted once is formatted
        the same for every reminder; the records themselves (currencies) are
        not changed by a rendering."""
        render_context = super()._render_eval_context()
        if MEMO_KEY in self.env.context:
            for name in ("format_date", "format_amount"):
                render_context[name] = _memoized(render_context[name])
        return render_context

    def _render_lang(self, res_ids, engine="inline_template"):
        """Reminder emails of a batch (context ``dunning_lang_memo``, see
        account.dunning.send._send_queued_emails): the language of each
        reminder rendered once for the batch, not again for the subject, the
        body and the composer (the same expression on the same records in
        one transaction gives the same languages)."""
        memo = self.env.context.get("dunning_lang_memo")
        if memo is None:
            return super()._render_lang(res_ids, engine=engine)
        key = (self._name, self.id, self.lang, self.render_model, tuple(res_ids), engine)
        if key not in memo:
            memo[key] = super()._render_lang(res_ids, engine=engine)
        return dict(memo[key])
