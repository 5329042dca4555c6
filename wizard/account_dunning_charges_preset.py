# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from types import MappingProxyType

from odoo import api, fields, models
from odoo.tools import is_html_empty

# Points above the ECB reference rate and fixed recovery indemnity (EUR) per
# invoice paid late: French Code de commerce L441-10 and D441-5; EU directive
# 2011/7/EU, articles 2(6), 2(12) and 6 (the minimum the member states apply).
PRESETS = MappingProxyType(
    {
        "fr": MappingProxyType({"margin": 10.0, "indemnity_eur": 40.0}),
        "eu": MappingProxyType({"margin": 8.0, "indemnity_eur": 40.0}),
    }
)


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

    def _indemnity_label(self):
        """Label of the fee per invoice on the letter, in the context's
        language."""
        self.ensure_one()
        if self.preset == "fr":
            return self.env._("Fixed indemnity for recovery costs (art. D441-5)")
        return self.env._("Fixed compensation for recovery costs (Directive 2011/7/EU, art. 6)")

    def _formal_notice_texts(self):
        """Texts of a formal notice left empty, in the context's language."""
        self.ensure_one()
        return {
            "intro_text": self.env._(
                "<p>Despite our previous reminders, the invoices listed below "
                "remain unpaid.</p>"
            ),
            "closing_text": self.env._(
                "<p>This formal notice makes the late-payment interest run "
                "and allows us to take any legal action to recover our claim. "
                "Please consider it with the utmost attention.</p>"
            ),
        }

    def _write_translated(self, records, values_by_lang):
        """Write ``values_by_lang["en_US"]`` on ``records`` and its
        translations in the other installed languages."""
        records.with_context(lang="en_US").write(values_by_lang["en_US"])
        default_plan = self.env["account.dunning.default.plan"]
        for record in records:
            for field_name, source in values_by_lang["en_US"].items():
                default_plan._translate_field(
                    record,
                    field_name,
                    source,
                    {
                        lang: values[field_name]
                        for lang, values in values_by_lang.items()
                        if lang != "en_US"
                    },
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
        langs = [code for code, _name in self.env["res.lang"].get_installed()]
        self._write_translated(
            levels,
            {
                code: {"indemnity_label": self.with_context(lang=code)._indemnity_label()}
                for code in ["en_US", *langs]
            },
        )
        # The last level is the formal notice (mise en demeure): its letter
        # and email say so, and its texts are written when left empty.
        last = term.level_ids.sorted("number")[-1:]
        if last in levels:
            values = {"is_formal_notice": True}
            template = self.env.ref(
                "account_dunning_automation.mail_template_dunning_formal_notice",
                raise_if_not_found=False,
            )
            if template and not last.mail_template_id:
                values["mail_template_id"] = template.id
            last.write(values)
            empty = [
                name
                for name in ("intro_text", "closing_text")
                if is_html_empty(last.with_context(lang="en_US")[name])
            ]
            if empty:
                self._write_translated(
                    last,
                    {
                        code: {
                            name: text
                            for name, text in self.with_context(lang=code)
                            ._formal_notice_texts()
                            .items()
                            if name in empty
                        }
                        for code in ["en_US", *langs]
                    },
                )
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
