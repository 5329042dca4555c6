# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date, timedelta

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningCharges(DunningCommon):
    """Late-payment interest and recovery indemnity (issue 8), in a EUR company."""

    @classmethod
    def setup_independent_company(cls, **kwargs):
        eur = cls.env.ref("base.EUR")
        eur.active = True
        return super().setup_independent_company(currency_id=eur.id, **kwargs)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        revenue = cls.company_data["default_account_revenue"]
        cls.interest_account = revenue.copy({"code": "763100", "name": "Late interest"})
        cls.indemnity_account = revenue.copy({"code": "758100", "name": "Recovery indemnity"})
        cls.fee_account = revenue.copy({"code": "758200", "name": "Reminder fees"})
        cls.term_fr = cls._create_term(
            "France",
            [("Reminder", 7, {}), ("Formal notice", 14, {})],
            journal_id=cls.company_data["default_journal_misc"].id,
            interest_account_id=cls.interest_account.id,
            indemnity_account_id=cls.indemnity_account.id,
            fee_account_id=cls.fee_account.id,
        )
        cls.fr_reminder, cls.fr_notice = cls.term_fr.level_ids.sorted("number")
        cls.partner_a.dunning_term_id = cls.term_fr
        groups = "account.group_account_invoice"
        if not cls.env.ref(
            "account_dunning_automation.group_dunning_user", raise_if_not_found=False
        ):
            # Until the roles of issue 6 are merged, billing users only read
            # reminders: the accountant group stands in for "Payment Reminders: User".
            groups += ",account.group_account_user"
        cls.billing = new_test_user(
            cls.env, login="charges_billing", groups=groups, company_id=cls.env.company.id
        )

    def _apply_preset(self, term, level, preset="fr"):
        wizard = Form(
            self.env["account.dunning.charges.preset"].with_context(default_term_id=term.id)
        )
        wizard.preset = preset
        wizard.level_id = level
        wizard.save().action_apply()

    def _create_as(self, user=None, **kwargs):
        reminder_model = self.Reminder.with_user(user) if user else self.Reminder
        return reminder_model._create_reminders(**kwargs)

    # ------------------------------------------------------------------ France

    def test_french_preset_on_levels(self):
        self._apply_preset(self.term_fr, self.fr_notice)
        self.assertEqual(self.fr_reminder.interest_rate_type, "fixed")
        self.assertFalse(self.fr_reminder._has_interest())
        self.assertFalse(self.fr_reminder.fee_per_invoice)
        self.assertEqual(self.fr_notice.interest_rate_type, "reference")
        self.assertEqual(self.fr_notice.interest_margin, 10.0)
        self.assertEqual(self.fr_notice.fee_per_invoice, 40.0)
        self.assertIn("L441-10", self.fr_notice.legal_text)
        self.assertIn("D441-5", self.fr_notice.legal_text)
        self._apply_preset(self.term_fr, self.fr_reminder, preset="eu")
        self.assertEqual(self.fr_reminder.interest_margin, 8.0)
        self.assertIn("2011/7/EU", self.fr_notice.legal_text)

    def test_french_preset_legal_text_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["account_dunning_automation"], ["fr_FR"], overwrite=True
        )
        self._apply_preset(self.term_fr, self.fr_notice)
        text_fr = self.fr_notice.with_context(lang="fr_FR").legal_text
        self.assertIn("indemnité forfaitaire pour frais de recouvrement", text_fr)
        self.assertIn("L441-10", text_fr)
        self.assertIn("fixed indemnity", self.fr_notice.with_context(lang="en_US").legal_text)

    def test_company_in_eur(self):
        self.assertEqual(self.env.company.currency_id.name, "EUR")

    def _check_french_preset_from_due_date(self, user):
        self._apply_preset(self.term_fr, self.fr_notice)
        invoice = self._invoice("2026-03-02", 1000.0)
        item = self._receivable_line(invoice)
        with freeze_time("2026-03-09"):  # J+7: reminder without charges
            first = self._create_as(user)
            self.assertEqual(first.level_id, self.fr_reminder)
            self.assertEqual(first.amount_interest, 0.0)
            self.assertEqual(first.amount_fee, 0.0)
            first.action_issue()
        self.assertFalse(first.move_id)
        self.assertFalse(item.dunning_interest_date)
        with freeze_time("2026-03-16"):  # J+14: interest from the due date
            second = self._create_as(user)
            self.assertEqual(second.level_id, self.fr_notice)
            line = second.line_ids
            # 1000 * (ECB 2.15 % + 10) * 14 days / 365 = 4.66 (not 7 days: 2.33)
            self.assertEqual(line.amount_interest, 4.66)
            self.assertEqual(line.currency_id, self.env.company.currency_id)
            self.assertEqual(line.interest_date_from, date(2026, 3, 3))
            self.assertEqual(line.interest_date_to, date(2026, 3, 16))
            self.assertEqual(line.interest_rate_text, "12.15 %")
            self.assertIn("2.15 % + 10.00 points", line.interest_description)
            self.assertIn("14 days", line.interest_description)
            self.assertEqual(line.amount_fee_invoice, 40.0)
            self.assertEqual(second.amount_fee, 40.0)
            self.assertEqual(second.amount_total, 1044.66)
            second.action_issue()
        self.assertEqual(item.dunning_interest_date, date(2026, 3, 16))
        self.assertTrue(item.dunning_fee_charged)
        move = second.move_id
        self.assertEqual(move.move_type, "entry")
        self.assertEqual(move.journal_id, self.company_data["default_journal_misc"])
        by_account = {line.account_id: line.balance for line in move.line_ids}
        self.assertEqual(by_account[self.interest_account], -4.66)
        self.assertEqual(by_account[self.indemnity_account], -40.0)
        self.assertFalse(move.line_ids.tax_ids)
        receivable = move.line_ids.filtered(lambda l: l.account_type == "asset_receivable")
        self.assertEqual(receivable.balance, 44.66)
        # The letter names the rate, the period and the indemnity per invoice.
        html = self.env["ir.actions.report"]._render_qweb_html(
            "account_dunning_automation.report_dunning_reminder", second.ids
        )[0].decode()
        self.assertIn("12.15 %", html)
        self.assertIn("03/03/2026", html)
        self.assertIn("03/16/2026", html)
        self.assertIn("Fixed recovery indemnity", html)
        # Cancelling gives the item back the date interest was charged until.
        second.action_cancel()
        self.assertFalse(item.dunning_interest_date)
        self.assertFalse(item.dunning_fee_charged)
        self.assertEqual(len(move.reversal_move_ids), 1)

    def test_french_preset_charges_from_due_date(self):
        self._check_french_preset_from_due_date(None)

    def test_french_preset_charges_from_due_date_as_billing_user(self):
        self._check_french_preset_from_due_date(self.billing)

    def test_next_interest_from_last_charged_date(self):
        self.partner_a.dunning_term_id = self.term
        # the accounts first: a level charging interest without them is
        # refused when saved (issue #19)
        self.term.write(
            {
                "journal_id": self.company_data["default_journal_misc"].id,
                "interest_account_id": self.interest_account.id,
            }
        )
        self.level_2.interest_rate = 12.15
        self.level_4.interest_rate = 12.15
        invoice = self._invoice("2026-01-10", 1000.0)
        for day in ("2026-01-11", "2026-01-17", "2026-01-24", "2026-02-09"):
            with freeze_time(day):
                self._create().action_issue()
        reminders = self._reminders().sorted("id")
        self.assertEqual(reminders.mapped("amount_interest"), [0.0, 2.33, 0.0, 7.66])
        last = reminders[-1].line_ids.filtered(lambda l: l.move_id == invoice)
        # level 2 charged up to 17 Jan; level 4 from 18 Jan to 9 Feb (23 days)
        self.assertEqual(last.interest_date_from, date(2026, 1, 18))
        self.assertEqual(
            self._receivable_line(invoice).dunning_interest_date, date(2026, 2, 9)
        )

    # -------------------------------------------------------- indemnity

    def test_indemnity_once_per_invoice_and_never_on_fees_entry(self):
        self.partner_a.dunning_term_id = self.term
        self.term.write(
            {
                "journal_id": self.company_data["default_journal_misc"].id,
                "interest_account_id": self.interest_account.id,
                "indemnity_account_id": self.indemnity_account.id,
            }
        )
        self._apply_preset(self.term, self.level_1)
        invoice = self._invoice("2026-01-10", 1000.0)
        with freeze_time("2026-01-11"):
            first = self._create()
            self.assertEqual(first.amount_fee, 40.0)
            first.action_issue()
        fees_entry = first.move_id
        self.assertTrue(fees_entry)
        with freeze_time("2026-01-17"):
            second = self._create()
            # level 2 for the invoice: the indemnity was already charged
            self.assertEqual(second.amount_fee, 0.0)
            second.action_issue()
        with freeze_time("2026-01-29"):  # the fees entries are overdue too
            third = self._create()
        fee_lines = third.line_ids.filtered(
            lambda l: l.move_id in (fees_entry | second.move_id)
        )
        self.assertEqual(len(fee_lines), 2)
        # Listed as charges not yet paid, never escalated (issue 7).
        self.assertEqual(set(fee_lines.mapped("line_type")), {"charge"})
        self.assertFalse(any(fee_lines.mapped("is_new_level")))
        self.assertEqual(fee_lines.mapped("amount_fee_invoice"), [0.0, 0.0])
        self.assertEqual(fee_lines.mapped("amount_interest"), [0.0, 0.0])
        invoice_line = third.line_ids.filtered(lambda l: l.move_id == invoice)
        self.assertEqual(invoice_line.amount_fee_invoice, 0.0)
        self.assertEqual(third.amount_fee, 0.0)
        self.assertTrue(invoice_line.amount_interest)

    def test_indemnity_needs_its_account(self):
        # Refused when saved since issue #19 (it failed at every issue before).
        self.term_fr.indemnity_account_id = False
        with self.assertRaisesRegex(ValidationError, "Recovery Indemnity Account"):
            self._apply_preset(self.term_fr, self.fr_reminder)

    # ------------------------------------------------------ partial payment

    def _check_partial_payment_lowers_interest(self, user):
        self._apply_preset(self.term_fr, self.fr_reminder)
        invoice = self._invoice("2026-03-02", 1000.0)
        with freeze_time("2026-03-16"):
            reminder = self._create_as(user)
            self.assertEqual(reminder.line_ids.amount_interest, 4.66)
            # 900 received on 9 March, booked after the draft was made
            self._pay(invoice, 900.0, "2026-03-09")
            reminder.action_issue()
        line = reminder.line_ids.filtered(lambda l: l.move_id == invoice)
        # (1000 * 7 days + 100 * 7 days) * 12.15 % / 365 = 2.56
        self.assertEqual(line.amount_interest, 2.56)
        self.assertEqual(line.amount_residual, 100.0)
        self.assertEqual(reminder.amount_interest, 2.56)
        interest_line = reminder.move_id.line_ids.filtered(
            lambda l: l.account_id == self.interest_account
        )
        self.assertEqual(interest_line.balance, -2.56)

    def test_partial_payment_between_create_and_issue_lowers_interest(self):
        self._check_partial_payment_lowers_interest(None)

    def test_partial_payment_lowers_interest_as_billing_user(self):
        self._check_partial_payment_lowers_interest(self.billing)

    def test_refresh_recomputes_interest(self):
        self._apply_preset(self.term_fr, self.fr_reminder)
        invoice = self._invoice("2026-03-02", 1000.0)
        with freeze_time("2026-03-16"):
            reminder = self._create()
            self._pay(invoice, 500.0, "2026-03-02")  # paid on the due date
            reminder.action_refresh()
        self.assertEqual(reminder.line_ids.amount_interest, 2.33)  # 500 over 14 days

    # ------------------------------------------------------------ currencies

    def _usd(self):
        # 1 EUR = 2 USD until 19 March, then 1 EUR = 1.25 USD
        self.env.user.groups_id += self.env.ref("base.group_multi_currency")
        return self.setup_other_currency(
            "USD", rates=[("2026-01-01", 2.0), ("2026-03-20", 1.25)]
        )

    def _check_usd_interest(self, user):
        usd = self._usd()
        self.fr_reminder.write({"interest_rate": 12.15, "min_amount": 700.0})
        invoice = self._invoice("2026-03-02", 1000.0, currency=usd)
        item = self._receivable_line(invoice)
        self.assertEqual(item.amount_residual, 500.0)  # EUR at the historical rate
        with freeze_time("2026-04-01"):
            # the minimum 700 EUR is 875 USD at the reminder date: 1000 USD reach it
            reminder = self._create_as(user)
            line = reminder.line_ids
            self.assertEqual(line.currency_id, usd)
            self.assertEqual(line.amount_interest, 9.99)  # 1000 USD, 30 days, 12.15 %
            self.assertEqual(line.amount_interest_company, 7.99)  # 9.99 / 1.25
            # one reminder per customer and currency: its amounts in USD
            self.assertEqual(reminder.currency_id, usd)
            self.assertEqual(reminder.amount_interest, 9.99)
            self.assertEqual(reminder.amount_total, 1009.99)
            self.assertEqual(reminder.amount_total_company, 507.99)  # 500 + 7.99
            reminder.action_issue()
        interest_line = reminder.move_id.line_ids.filtered(
            lambda l: l.account_id == self.interest_account
        )
        self.assertEqual(interest_line.currency_id, usd)
        self.assertEqual(interest_line.amount_currency, -9.99)
        receivable = reminder.move_id.line_ids.filtered(
            lambda l: l.account_type == "asset_receivable"
        )
        self.assertEqual(receivable.currency_id, usd)
        self.assertEqual(receivable.amount_currency, 9.99)

    def test_usd_invoice_interest_in_usd(self):
        self._check_usd_interest(None)

    def test_usd_invoice_interest_in_usd_as_billing_user(self):
        self._check_usd_interest(self.billing)

    def test_minimum_in_invoice_currency_at_reminder_date(self):
        usd = self._usd()
        self.fr_reminder.min_amount = 900.0  # 1125 USD on 1 April: not reached
        self._invoice("2026-03-02", 1000.0, currency=usd)
        with freeze_time("2026-04-01"):
            self.assertFalse(self._create())

    def test_customer_owing_zero_usd_not_reminded(self):
        usd = self._usd()
        self.partner_b.dunning_term_id = self.term_fr
        refund = self.init_invoice(
            "out_refund",
            partner=self.partner_b,
            invoice_date=fields.Date.to_date("2026-03-01"),
            amounts=[1000.0],
            taxes=[],
            currency=usd,
        )
        refund.action_post()  # -500 EUR at 2 USD
        invoice = self._invoice("2026-03-25", 1000.0, partner=self.partner_b, currency=usd)
        self.assertEqual(self._receivable_line(invoice).amount_residual, 800.0)
        # 300 EUR at historical rates, but 0 USD: nothing to remind
        with freeze_time("2026-04-10"):
            self.assertFalse(self._create(partners=self.partner_b))
            self.assertFalse(self._create_as(self.billing, partners=self.partner_b))
            # a customer owing USD is reminded (control)
            self._invoice("2026-03-25", 50.0, partner=self.partner_b, currency=usd)
            reminder = self._create(partners=self.partner_b)
            self.assertEqual(reminder.partner_id, self.partner_b)

    # ----------------------------------------------------------- fees and taxes

    def test_taxed_fees_are_invoiced(self):
        tax = self.company_data["default_tax_sale"]
        self.term_fr.write(
            {
                "fee_tax_ids": [Command.set(tax.ids)],
                "fee_invoice_journal_id": self.company_data["default_journal_sale"].id,
            }
        )
        self.fr_reminder.write({"fee_amount": 10.0, "fee_per_invoice": 40.0})
        self._invoice("2026-03-02", 1000.0)
        with freeze_time("2026-03-09"):
            reminder = self._create()
            taxed = tax.compute_all(10.0)["total_included"]
            self.assertEqual(reminder.amount_fee, taxed + 40.0)
            reminder.action_issue()
        move = reminder.move_id
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.journal_id, self.company_data["default_journal_sale"])
        self.assertEqual(move.amount_total, taxed + 40.0)
        fee_line = move.invoice_line_ids.filtered(lambda l: l.account_id == self.fee_account)
        indemnity_line = move.invoice_line_ids.filtered(
            lambda l: l.account_id == self.indemnity_account
        )
        self.assertEqual(fee_line.tax_ids, tax)
        self.assertFalse(indemnity_line.tax_ids)  # outside the scope of VAT
        self.assertEqual(move.invoice_date_due, date(2026, 3, 17))
        # the indemnity is never charged on this fees invoice
        self.assertFalse(self._receivable_line(move)._dunning_charges_fee_per_invoice())

    def test_misc_entry_refused_in_a_sales_journal(self):
        # Refused when saved since issue #19 (it failed at every issue before).
        self.fr_reminder.fee_amount = 10.0
        with self.assertRaisesRegex(ValidationError, "sales journal"):
            self.term_fr.journal_id = self.company_data["default_journal_sale"]
        # The refused write left its value in the cache: read the database again.
        self.env.invalidate_all()
        # Issue 18: a sales, bank or cash journal is refused when the terms
        # are saved (a bank journal was accepted and posted fees as payments).
        terms = self.env["account.dunning.term"]
        for journal in ("default_journal_sale", "default_journal_bank", "default_journal_cash"):
            with self.assertRaisesRegex(ValidationError, "general", msg=journal):
                terms.create({"name": journal, "journal_id": self.company_data[journal].id})
        with self.assertRaisesRegex(ValidationError, "sales journal"):
            terms.create(
                {
                    "name": "Misc invoices",
                    "fee_invoice_journal_id": self.company_data["default_journal_misc"].id,
                }
            )
        # Terms saved before the check: still refused at issue.
        self.env.cr.execute(
            "UPDATE account_dunning_term SET journal_id = %s WHERE id = %s",
            [self.company_data["default_journal_sale"].id, self.term_fr.id],
        )
        self.term_fr.invalidate_recordset(["journal_id"])
        self._invoice("2026-03-02", 1000.0)
        with freeze_time("2026-03-09"):
            reminder = self._create()
            with self.assertRaisesRegex(UserError, "cannot go in the sales journal"):
                reminder.action_issue()

    # ------------------------------------------------------------- jump

    def test_jump_with_max_zero_reaches_each_level_once(self):
        self.partner_a.dunning_term_id = self.term
        self.term.write({"escalation_mode": "jump", "max_reminders": 0})
        invoice = self._invoice("2026-01-10", 1000.0)
        reached = []
        day = date(2026, 1, 30)  # J+20: level 3 at once
        while day <= date(2026, 5, 31):
            with freeze_time(day):
                reminder = self._create()
                if reminder:
                    reached.append(reminder.level_id.number)
                    reminder.action_issue()
            day += timedelta(days=1)
        self.assertEqual(reached, [3, 4])
        self.assertEqual(self._receivable_line(invoice).dunning_count, 2)

    # ------------------------------------------------------------- bounds

    def test_out_of_range_values_refused(self):
        for values, message in (
            ({"delay_days": 10**9}, "between -3650 and 3650"),
            ({"payment_delay_days": 3651}, "between 0 and 3650"),
            ({"grace_days": -1}, "cannot be negative"),
            ({"interest_rate": 10**9}, "between 0 and 100"),
            ({"interest_margin": 101}, "between 0 and 100"),
            ({"fee_per_invoice": -40}, "cannot be negative"),
        ):
            with self.subTest(values=values), self.assertRaisesRegex(
                ValidationError, message
            ):
                self.fr_notice.write(values)
        with self.assertRaisesRegex(ValidationError, "cannot exceed 100"):
            self.term_fr.max_reminders = 1000
        rates = self.env["account.dunning.reference.rate"]
        with self.assertRaisesRegex(ValidationError, "1 January or 1 July"):
            rates.create({"date_from": "2026-08-01", "rate": 2.0})
        with self.assertRaisesRegex(ValidationError, "between -100"):
            rates.create({"date_from": "2030-01-01", "rate": 150.0})

    def test_missing_reference_rate_is_a_clear_error(self):
        self._apply_preset(self.term_fr, self.fr_reminder)
        self.env["account.dunning.reference.rate"].search(
            [("date_from", ">=", "2026-07-01")]
        ).unlink()
        self._invoice("2026-06-20", 1000.0)
        with freeze_time("2026-07-10"), self.assertRaisesRegex(
            UserError, "No reference rate .* half-year starting on 07/01/2026"
        ):
            self._create()
        self.env["account.dunning.reference.rate"].create(
            {"date_from": "2026-07-01", "rate": 2.0}
        )
        with freeze_time("2026-07-10"):
            line = self._create().line_ids
        # 10 days at 12.15 % then 10 days at 12 %: split over the half-years
        self.assertEqual(line.interest_rate_text, "12.15 %, 12.00 %")
        self.assertEqual(line.amount_interest, 6.62)

    def test_shipped_reference_rates(self):
        table = self.env["account.dunning.reference.rate"]._get_table()
        self.assertEqual(table[date(2013, 1, 1)], 0.75)
        self.assertEqual(table[date(2022, 7, 1)], 0.0)
        self.assertEqual(table[date(2023, 1, 1)], 2.5)
        self.assertEqual(table[date(2026, 1, 1)], 2.15)
        self.assertEqual(len([d for d in table if d.year <= 2026]), 27)

    def test_reference_rates_extended_by_administrators(self):
        rates = self.env["account.dunning.reference.rate"]
        self.assertTrue(rates.with_user(self.billing).search([]))
        with self.assertRaises(AccessError):
            rates.with_user(self.billing).create({"date_from": "2026-07-01", "rate": 2.0})
        manager = new_test_user(
            self.env, login="charges_manager", groups="account.group_account_manager"
        )
        added = rates.with_user(manager).create({"date_from": "2026-07-01", "rate": 2.0})
        self.assertEqual(added.display_name, "H2 2026")
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            rates.with_user(manager).create({"date_from": "2026-07-01", "rate": 2.1})
