# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The plan a company starts from: the seeds' standard scenario (PayCatch's
J+1 informative email, J+7 reminder, J+14 firm email, J+21 call, J+30 formal
notice validated by a person), created at install in every company, for the
companies created later, and completed with the accounts and journals of
the company's chart when it is loaded (a fresh database loads its chart
after the modules are installed)."""

import logging
from types import MappingProxyType

from odoo import Command, api, models

from ..wizard.account_dunning_charges_preset import PRESETS

_logger = logging.getLogger(__name__)

MODULE = "account_dunning_automation"
TERM_XMLID = "dunning_default_term"
AUTOMATION_XMLID = "dunning_default_automation"
FORMAL_NOTICE_TEMPLATE = f"{MODULE}.mail_template_dunning_formal_notice"
THANKS_TEMPLATE = f"{MODULE}.mail_template_dunning_thanks"
# Accounts of the charges by chart template (xmlids of the chart, without
# the company prefix): French PCG 7631 "Revenus des créances commerciales"
# for interest, 758 "Produits divers de gestion courante" for the indemnity
# and the fees; the generic chart's "Other Income".
CHART_ACCOUNTS = MappingProxyType(
    {
        "fr": MappingProxyType({"interest": "pcg_7631", "indemnity": "pcg_758", "fee": "pcg_758"}),
        "generic_coa": MappingProxyType(
            {"interest": "other_income", "indemnity": "other_income", "fee": "other_income"}
        ),
    }
)
# Level the legal charges (interest, EUR 40 per invoice) apply from: the
# formal notice. The firm reminder announces them ("Without payment within
# 5 days, we will apply the late-payment penalties provided by law").
CHARGES_FROM_LEVEL = 5
# Levels the automation creates, issues and sends on its own; the formal
# notice is created and kept in draft for a person to validate.
AUTOMATIC_UP_TO_LEVEL = 4


class AccountDunningDefaultPlan(models.AbstractModel):
    """The default plan of companies: created once per company (install,
    company creation, post-init hook), completed with the accounts and
    journals of the company's chart when it is loaded, translated when a
    language is installed. A service: it holds no data, the plan is made of
    account.dunning.term and account.dunning.automation records found by
    their per-company external ids."""

    _name = "account.dunning.default.plan"
    _description = "Default Reminder Plan"

    @api.model
    def _setup_all(self):
        # every company: a handful of records, once at install
        self._setup(self.env["res.company"].sudo().search([]))  # pylint: disable=no-search-all

    def _record(self, company, name):
        """The default plan record ``name`` (term or automation) of the
        company, found by its per-company external id."""
        company.ensure_one()
        # in the environment of the company given (as superuser when it is)
        return company.env.ref(f"{MODULE}.{company.id}_{name}", raise_if_not_found=False)

    def _setup(self, companies):
        """Create, once per company, the default reminder terms and the
        paused daily automation, and complete the terms with the company's
        accounts and journals and its legal charges once its chart exists.
        Run as superuser (install, company creation, chart loading: all
        reserved to administrators)."""
        self = self.sudo()  # pylint: disable=self-cls-assignment
        for company in companies.sudo():
            term = self._record(company, TERM_XMLID)
            if not term:
                term = self._create_term(company)
                self._create_automation(company)
                if not company.dunning_term_id:
                    company.dunning_term_id = term
            self._complete_term(company, term)

    @api.model
    def _texts(self, lang):
        """Names and texts of the default plan in ``lang`` (code translations
        of the module)."""
        env = self.with_context(lang=lang).env
        return {
            "term": env._("Standard reminders"),
            "levels": [
                {
                    "name": env._("Payment reminder (information)"),
                    "intro_text": env._(
                        "<p>We inform you that the following invoices have reached "
                        "their due date.</p>"
                    ),
                },
                {
                    "name": env._("Payment reminder"),
                    "intro_text": env._(
                        "<p>We are coming back to you about the following invoices, "
                        "which are still awaiting payment.</p>"
                    ),
                    "closing_text": env._("<p>Please settle them as soon as possible.</p>"),
                },
                {
                    "name": env._("Firm reminder"),
                    "intro_text": env._(
                        "<p>Despite our reminders, the following invoices remain "
                        "unpaid.</p>"
                    ),
                    "closing_text": env._(
                        "<p>Without payment within 5 days, we will be compelled to "
                        "apply the late-payment penalties provided by law.</p>"
                    ),
                },
                {
                    "name": env._("Phone call"),
                    "call_script": env._(
                        "<p>Call {customer}: {amount_overdue} overdue, oldest invoice "
                        "{oldest_invoice}. Last contact: {last_contact}. Promises: "
                        "{promise_history}. Ask for a payment date and record it as a "
                        "promise; tell them a formal notice follows on J+30.</p>"
                    ),
                },
                {
                    "name": env._("Formal notice"),
                    "intro_text": env._(
                        "<p>Despite our previous reminders, the invoices listed below "
                        "remain unpaid.</p>"
                    ),
                    "closing_text": env._(
                        "<p>This formal notice makes the late-payment interest run "
                        "and allows us to take any legal action to recover our claim. "
                        "Please consider it with the utmost attention.</p>"
                    ),
                },
            ],
            "automation": env._("Daily payment reminders"),
            "actions": [
                env._("Create the reminders due, every overdue invoice at the highest level"),
                env._("Issue levels 1 to 4 (formal notices kept in draft for a person)"),
                env._("Send levels 1 to 4"),
            ],
        }

    def _create_term(self, company):
        """The seeds' standard plan, texts in English then in every installed
        language."""
        company.ensure_one()
        texts = self._texts("en_US")
        formal_notice_template = self.env.ref(FORMAL_NOTICE_TEMPLATE, raise_if_not_found=False)
        settings = [
            # delay, payment deadline, channels
            {"delay_days": 1, "payment_delay_days": 7, "attach_letter": False},
            {"delay_days": 7, "payment_delay_days": 7, "attach_letter": False},
            {"delay_days": 14, "payment_delay_days": 5},
            {
                "delay_days": 21,
                "payment_delay_days": 7,
                "send_email": False,
                "attach_letter": False,
                "attach_invoices": "none",
                "create_call_activity": True,
            },
            {
                "delay_days": 30,
                "payment_delay_days": 8,
                "send_letter": True,
                "is_formal_notice": True,
                # Validated by a person: sent only from the sending dialog,
                # with its preview (never by Issue & Send or an automation).
                "manual_review": True,
                "mail_template_id": formal_notice_template.id if formal_notice_template else False,
            },
        ]
        term = (
            self.env["account.dunning.term"]
            .with_context(lang="en_US")
            .create(
                {
                    "name": texts["term"],
                    "company_id": company.id,
                    "min_contact_days": 5,
                    "max_contacts_before_last": 5,
                    "thank_you_template_id": self.env.ref(
                        THANKS_TEMPLATE, raise_if_not_found=False
                    ).id,
                    "level_ids": [
                        Command.create(dict(values, sequence=index, **level_texts))
                        for index, (values, level_texts) in enumerate(
                            zip(settings, texts["levels"], strict=True), 1
                        )
                    ],
                }
            )
        )
        self.env["ir.model.data"].create(
            {
                "module": MODULE,
                "name": f"{company.id}_{TERM_XMLID}",
                "model": term._name,
                "res_id": term.id,
                "noupdate": True,
            }
        )
        self._translate(
            company,
            [code for code, _name in self.env["res.lang"].get_installed() if code != "en_US"],
        )
        return term

    def _create_automation(self, company):
        """The daily automation of the plan, created paused: installing
        emails nobody, a user starts it."""
        company.ensure_one()
        # Internal names: in the company's language when it is installed.
        lang = company.partner_id.lang
        installed = [code for code, _name in self.env["res.lang"].get_installed()]
        texts = self._texts(lang if lang in installed else "en_US")
        automation = self.env["account.dunning.automation"].create(
            {
                "name": texts["automation"],
                "company_id": company.id,
                "cadence": "custom",
                "cadence_formula": "1D",
                "state": "paused",
                # every customer: terms created later are automated too
                "action_ids": [
                    Command.create(
                        {
                            "sequence": 1,
                            "action_type": "create",
                            "name": texts["actions"][0],
                            "set_highest_level": True,
                        }
                    ),
                    Command.create(
                        {
                            "sequence": 2,
                            "action_type": "issue",
                            "name": texts["actions"][1],
                            "max_level": AUTOMATIC_UP_TO_LEVEL,
                        }
                    ),
                    Command.create(
                        {
                            "sequence": 3,
                            "action_type": "send",
                            "name": texts["actions"][2],
                            "max_level": AUTOMATIC_UP_TO_LEVEL,
                        }
                    ),
                ],
            }
        )
        self.env["ir.model.data"].create(
            {
                "module": MODULE,
                "name": f"{company.id}_{AUTOMATION_XMLID}",
                "model": automation._name,
                "res_id": automation.id,
                "noupdate": True,
            }
        )
        return automation

    def _translate(self, companies, langs):
        """Translate the texts of the default plan of the companies into
        ``langs`` (installed languages), from the module's code translations:
        at creation, and when a language is installed later."""
        langs = [lang for lang in langs if lang != "en_US"]
        if not langs:
            return
        # as superuser: called at install and when a language is installed
        self = self.sudo()  # pylint: disable=self-cls-assignment
        for company in companies.sudo():
            term = self._record(company, TERM_XMLID)
            source = self._texts("en_US")
            translated = {lang: self._texts(lang) for lang in langs}
            if term:
                term.update_field_translations(
                    "name", {lang: texts["term"] for lang, texts in translated.items()}
                )
                levels = term.level_ids.sorted("number")
                for index, level in enumerate(levels[: len(source["levels"])]):
                    for field_name, value in source["levels"][index].items():
                        self._translate_field(
                            level,
                            field_name,
                            value,
                            {
                                lang: texts["levels"][index][field_name]
                                for lang, texts in translated.items()
                            },
                        )

    @api.model
    def _translate_field(self, record, field_name, source, translations):
        """Write the translations of ``source`` (the value the plan was
        created with) on ``record``; a field changed by a user since is left
        alone."""
        field = record._fields[field_name]
        if record.with_context(lang="en_US")[field_name] != source:
            return
        if not callable(field.translate):
            record.update_field_translations(field_name, translations)
            return
        # HTML: translated term by term (paragraphs)
        source_terms = field.get_trans_terms(source)
        by_lang = {}
        for lang, value in translations.items():
            terms = field.get_trans_terms(value)
            if len(terms) == len(source_terms) and terms != source_terms:
                by_lang[lang] = dict(zip(source_terms, terms, strict=True))
        if by_lang:
            record.update_field_translations(field_name, by_lang)

    # ------------------------------------------------------------------
    # Accounts, journals and legal charges from the company's chart
    # ------------------------------------------------------------------

    def _chart_account(self, company, kind):
        """Account of ``kind`` (interest, indemnity, fee) in the company's
        chart: the chart's own account when known, else an "other income"
        account of the company."""
        company.ensure_one()
        xmlid = CHART_ACCOUNTS.get(company.chart_template or "", {}).get(kind)
        account = self.env["account.account"]
        if xmlid:
            account = self.env["account.chart.template"].with_company(company).ref(
                xmlid, raise_if_not_found=False
            ) or account
        if not account:
            account = self.env["account.account"].search(
                [
                    *self.env["account.account"]._check_company_domain(company),
                    ("account_type", "=", "income_other"),
                    ("active", "=", True),
                ],
                limit=1,
            )
        return account

    def _general_journal(self, company):
        company.ensure_one()
        journals = self.env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "general")]
        )
        return journals.filtered(lambda j: j.code in ("MISC", "OD"))[:1] or journals[:1]

    def _complete_term(self, company, term):
        """Accounts and journals of the company's chart on the default terms
        (the fields still empty), then the legal charges of the company's
        country (French ones in France, the EU directive's elsewhere) from
        the formal notice on, once there is somewhere to post them."""
        company.ensure_one()
        if not company.chart_template:
            return
        values = {}
        if not term.journal_id:
            values["journal_id"] = self._general_journal(company).id
        for field_name, kind in (
            ("interest_account_id", "interest"),
            ("indemnity_account_id", "indemnity"),
            ("fee_account_id", "fee"),
        ):
            if not term[field_name]:
                values[field_name] = self._chart_account(company, kind).id
        values = {key: value for key, value in values.items() if value}
        if values:
            term.write(values)
        levels = term.level_ids.sorted("number")
        if (
            len(levels) < CHARGES_FROM_LEVEL
            or not (term.journal_id and term.interest_account_id and term.indemnity_account_id)
            or any(
                level.fee_per_invoice or level.interest_rate_type == "reference"
                for level in levels
            )
        ):
            return  # no place to post the charges, or already applied
        preset = "fr" if company.country_id.code == "FR" else "eu"
        if preset not in PRESETS:
            return
        wizard = self.env["account.dunning.charges.preset"].create(
            {
                "term_id": term.id,
                "preset": preset,
                "level_id": levels[CHARGES_FROM_LEVEL - 1].id,
            }
        )
        wizard.action_apply()


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    def _post_load_data(self, template_code, company, template_data):
        result = super()._post_load_data(template_code, company, template_data)
        # The chart of a fresh database is loaded after the modules are
        # installed: the default plan takes its accounts and journals now.
        self.env["account.dunning.default.plan"]._setup(company)
        return result


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _load_module_terms(self, modules, langs, overwrite=False, imported_module=False):
        result = super()._load_module_terms(
            modules, langs, overwrite=overwrite, imported_module=imported_module
        )
        if MODULE in modules and "account.dunning.default.plan" in self.env:
            # A language installed after the plan was created: its texts in
            # that language too (the code translations are loaded now).
            companies = self.env["res.company"].sudo().search([])  # pylint: disable=no-search-all
            self.env["account.dunning.default.plan"]._translate(companies, langs)
        return result
