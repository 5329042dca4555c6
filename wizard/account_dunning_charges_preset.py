# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models

# Points above the ECB reference rate and fixed recovery indemnity (EUR) per
# invoice paid late: French Code de commerce L441-10 and D441-5; EU directive
# 2011/7/EU, articles 2(6), 2(12) and 6 (the minimum the member states apply).
PRESETS = {
    "fr": {"margin": 10.0, "indemnity_eur": 40.0},
    "eu": {"margin": 8.0, "indemnity_eur": 40.0},
}


class AccountDunningChargesPreset(models.TransientModel):
    """Apply the legal late-payment charges of a country to reminder levels."""

    _name = "account.dunning.charges.preset"
    _description = "Legal Late-Payment Charges"

    term_id = fields.Many2one("account.dunning.term", required=True, ondelete="cascade")
    preset = fields.Selection(
        [
            ("fr", "France (ECB rate + 10 points, EUR 40 per invoice)"),
            ("eu", "European Union (ECB rate + 8 points, EUR 40 per invoice)"),
        ],
        required=True,
        default="fr",
    )
    level_id = fields.Many2one(
        "account.dunning.level",
        string="From Level",
        required=True,
        domain="[('term_id', '=', term_id)]",
        help="The charges apply from this level on; the levels before it stay "
        "friendly reminders without charges. Interest is counted from the due "
        "date anyway.",
    )

    @api.onchange("term_id")
    def _onchange_term_id(self):
        if self.term_id and self.level_id.term_id != self.term_id:
            self.level_id = self.term_id.level_ids.sorted("number")[:1]

    def _legal_text(self):
        """Legal mention of the preset, in the language of the context."""
        self.ensure_one()
        if self.preset == "fr":
            return self.env._(
                "<p>Late-payment penalties are due from the day after the due date, "
                "without a reminder being necessary, at the interest rate applied by "
                "the European Central Bank to its most recent refinancing operation "
                "plus 10 percentage points (Code de commerce, article L441-10). Any "
                "professional paying late owes by law a fixed indemnity for recovery "
                "costs of EUR 40 per invoice (Code de commerce, articles L441-10 and "
                "D441-5), and an additional compensation, on justification, when the "
                "recovery costs incurred are higher.</p>"
            )
        return self.env._(
            "<p>Interest for late payment is due from the day after the due date, "
            "without a reminder being necessary, at the reference rate of the "
            "European Central Bank (rate of its main refinancing operations in force "
            "on 1 January or 1 July) plus 8 percentage points, and a fixed sum of "
            "EUR 40 is due as compensation for recovery costs for each invoice paid "
            "late (Directive 2011/7/EU on combating late payment in commercial "
            "transactions, articles 2 and 6).</p>"
        )

    def action_apply(self):
        self.ensure_one()
        preset = PRESETS[self.preset]
        term = self.term_id
        company = term.company_id
        indemnity = self.env.ref("base.EUR")._convert(
            preset["indemnity_eur"], company.currency_id, company, fields.Date.context_today(self)
        )
        levels = term.level_ids.filtered(lambda level: level.number >= self.level_id.number)
        levels.write(
            {
                "interest_rate_type": "reference",
                "interest_margin": preset["margin"],
                "fee_per_invoice": indemnity,
            }
        )
        # The legal mention in English (the source value), then its terms
        # (paragraphs: the field is translated term by term) in every installed
        # language, from the module's translations.
        source = self.with_context(lang="en_US")._legal_text()
        levels.with_context(lang="en_US").write({"legal_text": source})
        field = levels._fields["legal_text"]
        source_terms = field.get_trans_terms(source)
        translations = {}
        for code, _name in self.env["res.lang"].get_installed():
            terms = field.get_trans_terms(self.with_context(lang=code)._legal_text())
            if code != "en_US" and len(terms) == len(source_terms):
                translations[code] = dict(zip(source_terms, terms))
        if translations:
            levels.flush_recordset(["legal_text"])
            for level in levels:
                level.update_field_translations("legal_text", translations)
        # Said when the preset is applied, not when a run fails on it: the
        # current half-year has no reference rate yet.
        warning = self.env["account.dunning.reference.rate"]._missing_rate_warning()
        if warning:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "title": self.env._("Reference rate missing"),
                    "message": warning,
                    "type": "warning",
                    "sticky": True,
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        return {"type": "ir.actions.act_window_close"}
