# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import re
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import DunningCommon

TERM = "dunning_default_term"
AUTOMATION = "dunning_default_automation"


class DefaultPlanCommon(DunningCommon):
    """The test company's own default plan (created with the company, its
    accounts taken when its chart was loaded) as its default terms."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.plan = cls.env["account.dunning.default.plan"]._record(company, TERM)
        cls.automation = cls.env["account.dunning.default.plan"]._record(company, AUTOMATION)
        company.dunning_term_id = cls.plan
        cls.levels = cls.plan.level_ids.sorted("number")


@tagged("post_install", "-at_install")
class TestDunningDefaultPlan(DefaultPlanCommon):
    def _check_plan(self, company):
        term = self.env["account.dunning.default.plan"]._record(company, TERM)
        automation = self.env["account.dunning.default.plan"]._record(company, AUTOMATION)
        self.assertTrue(term, company.name)
        self.assertEqual(term.company_id, company)
        levels = term.level_ids.sorted("number")
        self.assertEqual(levels.mapped("delay_days"), [1, 7, 14, 21, 30])
        self.assertEqual(levels.mapped("send_email"), [True, True, True, False, True])
        self.assertEqual(
            levels.mapped("create_call_activity"), [False, False, False, True, False]
        )
        self.assertEqual(levels.mapped("is_formal_notice"), [False] * 4 + [True])
        self.assertTrue(levels[4].send_letter)
        self.assertEqual(
            levels[4].mail_template_id,
            self.env.ref("account_dunning_automation.mail_template_dunning_formal_notice"),
        )
        self.assertEqual(term.min_contact_days, 5)
        self.assertEqual(term.max_contacts_before_last, 5)
        self.assertEqual(
            term.thank_you_template_id,
            self.env.ref("account_dunning_automation.mail_template_dunning_thanks"),
        )
        # paused: installing emails nobody
        self.assertEqual(automation.state, "paused")
        self.assertEqual(automation.cadence_formula, "1D")
        actions = automation.action_ids.sorted("sequence")
        self.assertEqual(actions.mapped("action_type"), ["create", "issue", "send"])
        self.assertTrue(actions[0].set_highest_level)
        self.assertEqual(actions[1:].mapped("max_level"), [4, 4])
        return term

    def test_every_company_has_the_default_plan(self):
        # the company of the database (installed without demo data: no chart
        # when the module was installed, completed when it was loaded)
        # (as superuser: the test user only sees the test company)
        main = self.env.ref("base.main_company").sudo()
        main_term = self._check_plan(main)
        self.assertEqual(main.dunning_term_id, main_term)
        # the test company, created after the install with its chart
        term = self._check_plan(self.env.company)
        self.assertEqual(term.journal_id.type, "general")
        self.assertTrue(term.interest_account_id)
        self.assertTrue(term.indemnity_account_id)
        formal = term.level_ids.sorted("number")[4]
        self.assertEqual(formal.interest_rate_type, "reference")
        self.assertTrue(formal.fee_per_invoice)
        # the first four levels charge nothing: the firm reminder announces
        # the penalties, the formal notice claims them
        self.assertFalse(
            any(
                level.fee_per_invoice or level.interest_rate_type == "reference"
                for level in term.level_ids.sorted("number")[:4]
            )
        )

    def test_company_created_later_french_preset_once_chart_loaded(self):
        company = self.env["res.company"].create(
            {"name": "Dupont SARL", "country_id": self.env.ref("base.fr").id}
        )
        term = self.env["account.dunning.default.plan"]._record(company, TERM)
        self.assertTrue(term)
        self.assertEqual(company.dunning_term_id, term)
        # no chart yet: nothing to post the charges on, no charges
        self.assertFalse(term.level_ids.filtered("fee_per_invoice"))
        self.assertTrue(self.env["account.dunning.default.plan"]._record(company, AUTOMATION))
        self.env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
        formal = term.level_ids.sorted("number")[4]
        self.assertTrue(term.journal_id)
        self.assertEqual(formal.interest_margin, 10.0)  # French law: ECB + 10
        self.assertEqual(formal.fee_per_invoice, 40.0)
        self.assertIn("L441-10", formal.legal_text)
        self.assertEqual(
            formal.indemnity_label, "Fixed indemnity for recovery costs (art. D441-5)"
        )
        # loading again never makes a second plan
        self.env["account.dunning.default.plan"]._setup(company)
        self.assertEqual(
            self.env["account.dunning.term"].search_count([("company_id", "=", company.id)]), 1
        )

    def test_texts_in_english_and_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["account_dunning_automation"], ["fr_FR"], overwrite=True
        )
        for company in (self.env.ref("base.main_company").sudo(), self.env.company):
            term = self.env["account.dunning.default.plan"]._record(company, TERM)
            levels = term.level_ids.sorted("number")
            self.assertEqual(levels[0].name, "Payment reminder (information)")
            self.assertIn("reached their due date", levels[0].intro_text)
            fr = levels.with_context(lang="fr_FR")
            self.assertEqual(
                fr.mapped("name"),
                [
                    "Relance de paiement (information)",
                    "Relance de paiement",
                    "Relance ferme",
                    "Appel téléphonique",
                    "Mise en demeure",
                ],
            )
            self.assertIn("sont arrivées à échéance", fr[0].intro_text)
            self.assertIn("pénalités de retard", fr[2].closing_text)

    def test_billing_clerk_creates_a_level_1_draft(self):
        clerk = new_test_user(
            self.env,
            login="clerk19",
            groups="account.group_account_invoice,account_dunning_automation.group_dunning_user",
            company_id=self.env.company.id,
            company_ids=[self.env.company.id],
        )
        self._invoice("2026-03-02")
        with freeze_time("2026-03-03"):
            wizard = (
                self.env["account.dunning.create.wizard"]
                .with_user(clerk)
                .create({"date": date(2026, 3, 3)})
            )
            wizard.action_create()
        reminder = self._reminders()
        self.assertEqual(reminder.state, "draft")
        self.assertEqual(reminder.level_id, self.levels[0])
        self.assertEqual(reminder.term_id, self.plan)

    def test_explanation_of_the_policy_on_the_terms(self):
        text = self.plan.plan_explanation
        self.assertIn("J+1, J+7, J+14, J+21, J+30 are kept as configured", text)
        self.assertIn("less than 5 days after the previous reminder", text)
        self.plan.min_contact_days = 7
        text = self.plan.plan_explanation
        self.assertIn("J+1, J+30 are kept as configured", text)
        self.assertIn("configured on J+7, goes out on J+8", text)

    def test_new_terms_thank_by_default(self):
        term = self.env["account.dunning.term"].create({"name": "Mine"})
        self.assertEqual(
            term.thank_you_template_id,
            self.env.ref("account_dunning_automation.mail_template_dunning_thanks"),
        )
        self.assertEqual(term.min_contact_days, 5)

    def test_terms_that_cannot_run_are_refused_when_saved(self):
        term = self._create_term("Bare", [("Only", 1, {})])

        def refused(message, record, values):
            with self.assertRaisesRegex(ValidationError, message):
                with self.env.cr.savepoint():
                    record.write(values)
            self.env.invalidate_all()

        refused("Recovery Indemnity Account", term.level_ids, {"fee_per_invoice": 40.0})
        refused("Fees Account", term.level_ids, {"fee_amount": 10.0})
        term.fee_account_id = self.company_data["default_account_revenue"]
        refused("Fees Journal", term.level_ids, {"fee_amount": 10.0})
        refused("Interest Account", term.level_ids, {"interest_rate": 10.0})
        # the accounts set, the same level is accepted
        term.journal_id = self.company_data["default_journal_misc"]
        term.level_ids.fee_amount = 10.0
        # and removing what it needs is refused in turn
        refused("Fees Journal", term, {"journal_id": False})
        taxes = self.company_data["default_tax_sale"]
        refused("Fees Invoice Journal", term, {"fee_tax_ids": taxes.ids})

    def test_highest_level_on_all_lines_one_formal_notice(self):
        # Jump mode, no contact policy: on one day, four invoices of different
        # ages reach different levels.
        self.plan.write(
            {"escalation_mode": "jump", "min_contact_days": 0, "max_contacts_before_last": 0}
        )
        invoices = [
            self._invoice(day) for day in ("2026-03-01", "2026-03-09", "2026-03-17", "2026-03-28")
        ]
        as_of = date(2026, 3, 31)  # J+30, J+22, J+14, J+3
        plain = self._create(as_of=as_of)
        self.assertEqual(
            sorted(plain.line_ids.filtered("is_new_level").level_id.mapped("number")),
            [1, 3, 4, 5],
        )
        plain.action_cancel()
        notice = self.Reminder.with_context(dunning_highest_level=True)._create_reminders(
            as_of=as_of
        )
        self.assertEqual(len(notice), 1)
        lines = notice.line_ids.filtered("is_new_level")
        self.assertEqual(lines.move_id, self.env["account.move"].union(*invoices))
        self.assertEqual(set(lines.level_id.mapped("number")), {5})
        self.assertEqual(notice.level_id, self.levels[4])
        # each invoice claims its indemnity on the notice
        self.assertEqual(len(lines.filtered("amount_fee_invoice")), 4)


@tagged("post_install", "-at_install")
class TestDunningPayCatch(DefaultPlanCommon):
    """The seed's scenario run day by day by the real cron entry point, with
    the default terms and the default daily automation started: J+1
    informative email, J+7 reminder, J+14 firm email, J+21 call, J+30 formal
    notice held for a person, thank-you after payment."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.manager = new_test_user(cls.env, login="collector19", groups="base.group_user")
        cls.never, cls.payer, cls.disputed, cls.many = (
            Partner.create(
                {
                    "name": name,
                    "is_company": True,
                    "email": f"{name.lower()}@example.com",
                    "dunning_responsible_id": cls.manager.id,
                }
            )
            for name in ("Never", "Payer", "Disputed", "Many")
        )

    def _snapshot(self):
        return (
            set(self.env["mail.mail"].search([]).ids),
            set(self.env["mail.activity"].search([]).ids),
            set(self.Reminder.search([("state", "=", "draft")]).ids),
        )

    def _run_day(self, day, received):
        mails, activities, drafts = self._snapshot()
        with freeze_time(day):
            self.env["account.dunning.automation"]._cron_run_due()
            self.env["mail.mail"].process_email_queue()
        new_mails = self.env["mail.mail"].search([("id", "not in", list(mails))])
        for mail in new_mails:
            for partner in mail.recipient_ids:
                if "Thank you" in (mail.subject or ""):
                    kind = "thanks"
                else:
                    reminder = self.Reminder.browse(mail.res_id)
                    kind = f"L{reminder.level_number} email"
                received.setdefault(partner.commercial_partner_id, {}).setdefault(
                    day, []
                ).append(kind)
        for activity in self.env["mail.activity"].search([("id", "not in", list(activities))]):
            if activity.res_model == "account.dunning.reminder":
                reminder = self.Reminder.browse(activity.res_id)
                received.setdefault(reminder.partner_id, {}).setdefault(day, []).append(
                    f"L{reminder.level_number} call for {activity.user_id.login}"
                )
        for draft in self.Reminder.search(
            [("state", "=", "draft"), ("id", "not in", list(drafts))]
        ):
            if draft.level_id.number == 5:
                received.setdefault(draft.partner_id, {}).setdefault(day, []).append(
                    "L5 held"
                )

    def test_paycatch_scenario_day_by_day(self):
        start = date(2026, 3, 2)  # D
        self._invoice(start, partner=self.never)
        paid = self._invoice(start, partner=self.payer)
        self._invoice(start, partner=self.disputed).dunning_blocked = True
        many = [self._invoice(start + timedelta(days=d), partner=self.many) for d in (0, 2, 4, 6)]
        with freeze_time(start):
            self.automation.action_start()
        self.assertEqual(self.automation.state, "scheduled")
        received = {}
        for offset in range(0, 41):
            day = start + timedelta(days=offset)
            if offset == 10:
                self._pay(paid, date=day)
            self._run_day(day, received)
            if offset in (7, 30):
                # a second run the same day adds nothing
                before = self._snapshot()
                with freeze_time(day):
                    self.automation.action_run_now()
                    self.env["account.dunning.automation"]._cron_run_due()
                    self.env["mail.mail"].process_email_queue()
                self.assertEqual(self._snapshot()[:2], before[:2], day)

        def on(*offsets):
            return [start + timedelta(days=o) for o in offsets]

        # what the plan says, on the days it says: J+1, J+7, J+14 emails, the
        # J+21 call for the account manager, the J+30 notice held for a person
        plan = dict(
            zip(
                on(1, 7, 14, 21, 30),
                [["L1 email"], ["L2 email"], ["L3 email"], ["L4 call for collector19"],
                 ["L5 held"]],
                strict=True,
            )
        )
        self.assertEqual(received.get(self.never), plan)
        self.assertEqual(
            received.get(self.payer),
            dict(zip(on(1, 7, 10), [["L1 email"], ["L2 email"], ["thanks"]], strict=True)),
        )
        self.assertFalse(received.get(self.disputed))
        # the same days for the four invoices due D, D+2, D+4, D+6: the later
        # ones join the customer's plan at its next step
        self.assertEqual(received.get(self.many), plan)
        # one formal notice listing the four invoices, kept for a person
        notice = self.Reminder.search([("partner_id", "=", self.many.id), ("state", "=", "draft")])
        self.assertEqual(len(notice), 1)
        self.assertEqual(notice.level_id, self.levels[4])
        self.assertEqual(
            notice.line_ids.filtered("is_new_level").move_id,
            self.env["account.move"].union(*many),
        )
        for partner, days in received.items():
            contacts = sorted(day for day, kinds in days.items() if kinds != ["thanks"])
            for previous, current in zip(contacts, contacts[1:]):
                self.assertGreaterEqual((current - previous).days, 5, partner.name)
            before_notice = [d for d in contacts if "L5 held" not in days[d]]
            self.assertLessEqual(len(before_notice), 5, partner.name)
            # nothing twice
            for kinds in days.values():
                self.assertEqual(len(kinds), len(set(kinds)), partner.name)


@tagged("post_install", "-at_install")
class TestDunningStopOnErrorAsBusinessCentral(DefaultPlanCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        revenue = cls.company_data["default_account_revenue"]
        cls.broken_account = revenue.copy({"code": "758900", "name": "Fees (closed)"})
        # The first customer's terms charge a fee whose account was then
        # deprecated: the configuration was valid when saved, the posting
        # fails at run time.
        cls.broken_term = cls._create_term(
            "Broken",
            [("Only", 1, {"fee_amount": 10.0})],
            journal_id=cls.company_data["default_journal_misc"].id,
            fee_account_id=cls.broken_account.id,
        )
        cls.broken_account.deprecated = True

    def _automation(self, batch_size=1):
        return self.env["account.dunning.automation"].create(
            {
                "name": "Stop on error",
                "batch_size": batch_size,
                "action_ids": [
                    Command.create({"sequence": 1, "action_type": "create"}),
                    Command.create({"sequence": 2, "action_type": "issue", "stop_on_error": True}),
                    Command.create({"sequence": 3, "action_type": "send"}),
                ],
            }
        )

    def _run(self, automation, day):
        with freeze_time(day):
            automation.action_start()
            self.env["account.dunning.automation"]._cron_run_due()
            self.env["mail.mail"].process_email_queue()
        return automation.run_ids.sorted("id")[-1]

    def _check(self, failing, other):
        failing.dunning_term_id = self.broken_term
        other.dunning_term_id = self.term
        self._invoice("2026-03-02", partner=failing)
        self._invoice("2026-03-02", partner=other)
        run = self._run(self._automation(), "2026-03-04")
        self.assertEqual(run.state, "stopped")
        self.assertEqual(run.stopped_action_id.action_type, "issue")
        self.assertEqual(self._reminders(other).state, "issued")
        self.assertEqual(self._reminders(failing).state, "draft")
        self.assertEqual(run.sent_count, 0)
        self.assertFalse(self._reminders(other).sent_date)
        errors = run.error_ids.filtered(lambda e: e.severity == "error")
        self.assertEqual(errors.partner_id, failing)
        self.assertIn("deprecated", errors.message)
        stop = run.error_ids.filtered(lambda e: e.severity == "warning")
        self.assertIn("Stopped on error", stop.message)
        self.assertIn("deprecated", stop.message)
        self.assertIn("Send Reminders", stop.message)

    def test_failing_first_customer_the_second_is_issued_nobody_sent(self):
        failing, other = sorted((self.partner_a, self.partner_b), key=lambda p: p.id)
        self._check(failing, other)

    def test_failing_second_customer_the_first_is_not_sent_either(self):
        # customer by customer, the first would have been sent before the
        # second failed: an action runs for everyone before the next one
        other, failing = sorted((self.partner_a, self.partner_b), key=lambda p: p.id)
        self._check(failing, other)


@tagged("post_install", "-at_install")
class TestDunningActionSettings(DefaultPlanCommon):
    def _automation(self, actions):
        return self.env["account.dunning.automation"].create(
            {
                "name": "Settings",
                "action_ids": [
                    Command.create(dict(values, sequence=index))
                    for index, values in enumerate(actions, 1)
                ],
            }
        )

    def test_charges_entry_date_issue_or_reminder(self):
        self.term.write(
            {
                "journal_id": self.company_data["default_journal_misc"].id,
                "fee_account_id": self.company_data["default_account_revenue"].id,
            }
        )
        self.level_1.fee_amount = 5.0
        self.partner_a.dunning_term_id = self.term
        self.partner_b.dunning_term_id = self.term
        self._invoice("2026-03-02")
        self._invoice("2026-03-02", partner=self.partner_b)
        with freeze_time("2026-03-03"):
            self._create(partners=self.partner_a | self.partner_b)
        keep = self._automation([{"action_type": "issue", "charges_date": "reminder"}])
        keep.action_ids.partner_domain = f"[('id', '=', {self.partner_a.id})]"
        replace = self._automation([{"action_type": "issue"}])
        with freeze_time("2026-03-05"):
            keep._run(date(2026, 3, 5))
            replace._run(date(2026, 3, 5))
        self.assertEqual(self._reminders().move_id.date, date(2026, 3, 3))
        self.assertEqual(self._reminders(self.partner_b).move_id.date, date(2026, 3, 5))

    def test_send_again_at_one_level(self):
        self.partner_a.dunning_term_id = self.term
        self._invoice("2026-03-02")
        automation = self._automation(
            [
                {"action_type": "create"},
                {"action_type": "issue"},
                {"action_type": "send", "max_sends": 2, "min_days_between_sends": 3},
            ]
        )
        counts = []
        for day in (3, 4, 5, 6, 7, 8):
            with freeze_time(date(2026, 3, day)):
                automation._run(date(2026, 3, day))
                self.env["mail.mail"].process_email_queue()
            first = self._reminders().filtered(lambda r: r.level_id == self.level_1)
            counts.append(first.send_count)
        # sent on the 3rd, again on the 6th (3 days later), never a third time
        self.assertEqual(counts, [1, 1, 1, 2, 2, 2])
        emails = self.env["mail.mail"].search(
            [("model", "=", "account.dunning.reminder"), ("res_id", "=", self._reminders().id)]
        )
        self.assertEqual(len(emails), 2)


@tagged("post_install", "-at_install")
class TestDunningFormalNotice(DefaultPlanCommon):
    """The formal notice as a French accountant signs it, and nothing
    friendly after it."""

    def _notice(self, partner=None):
        """A formal notice (level 5) of ``partner`` for an invoice due on
        2026-03-01, created on 2026-03-31 (jump mode: at once)."""
        self.plan.write({"escalation_mode": "jump", "min_contact_days": 0})
        invoice = self._invoice("2026-03-01", partner=partner)
        with freeze_time("2026-03-31"):
            reminder = self._create(partners=partner or self.partner_a)
        self.assertEqual(reminder.level_id, self.levels[4])
        return reminder, invoice

    def test_no_friendly_reminder_after_the_formal_notice(self):
        notice, _invoice = self._notice()
        with freeze_time("2026-03-31"):
            notice.action_issue()
        self._invoice("2026-04-05")
        with freeze_time("2026-04-07"):
            later = self._create()
        self.assertEqual(later.level_id, self.levels[4])
        line = later.line_ids.filtered("is_new_level")
        self.assertEqual(line.level_id, self.levels[4])
        self.assertIn("formal notice", line.explanation)
        # the forecast of the default daily automation plans no friendly
        # reminder after the formal notice either
        later.action_cancel()
        self._invoice("2026-04-20")
        with freeze_time("2026-04-08"):
            self.automation.action_start()
            contacts = self.env["account.dunning.forecast"]._compute_contacts(
                self.env.company, self.partner_a, days=30
            )
        self.assertTrue(contacts)
        self.assertEqual({c.level_number for c in contacts}, {5})

    def test_french_formal_notice_reads_right(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["account_dunning_automation"], ["fr_FR"], overwrite=True
        )
        self.env.company.city = "Lyon"
        self.env["account.dunning.charges.preset"].create(
            {"term_id": self.plan.id, "preset": "fr", "level_id": self.levels[4].id}
        ).action_apply()
        self.partner_a.lang = "fr_FR"
        notice, _invoice = self._notice()
        with freeze_time("2026-03-31"):
            notice.action_issue()
        self.assertTrue(notice.amount_interest)
        html = self.env["ir.actions.report"]._render_qweb_html(
            "account_dunning_automation.report_dunning_reminder", notice.ids
        )[0].decode()
        # the text as read (tags out, spaces collapsed)
        html = " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" ,", ",")
        for expected in (
            "Lettre recommandée avec accusé de réception",
            "Objet : mise en demeure de payer",
            "Madame, Monsieur,",
            "Lyon, 31 mars 2026",
            "Par la présente, nous vous mettons en demeure de nous régler la somme de",
            "soit au plus tard le 8 avril 2026",
            "Indemnité forfaitaire pour frais de recouvrement (art. D441-5)",
            "L441-10",
        ):
            self.assertIn(expected, html)
        self.assertNotIn("merci de ne pas tenir compte", html.lower())
        self.assertNotIn("disregard", html.lower())
        # the formal notice email: its own template, in French
        template = self.env["account.dunning.send"]._get_mail_template(notice)
        self.assertEqual(
            template,
            self.env.ref("account_dunning_automation.mail_template_dunning_formal_notice"),
        )
        body = template._render_field("body_html", notice.ids, compute_lang=True)[notice.id]
        self.assertIn("Madame, Monsieur,", body)
        self.assertIn("nous vous mettons en demeure", body)
        self.assertNotIn("ne pas tenir compte", body)
