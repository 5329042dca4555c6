# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from collections import defaultdict
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import DunningCommon

D = date(2026, 3, 2)


@tagged("post_install", "-at_install")
class TestDunningCurrency(DunningCommon):
    """One reminder per customer and currency (issue 8, point 4), in a EUR
    company with USD invoices: 1 EUR = 2 USD until 19 March 2026, then
    1 EUR = 1.25 USD."""

    @classmethod
    def setup_independent_company(cls, **kwargs):
        eur = cls.env.ref("base.EUR")
        eur.active = True
        return super().setup_independent_company(currency_id=eur.id, **kwargs)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id += cls.env.ref("base.group_multi_currency")
        cls.usd = cls.setup_other_currency(
            "USD", rates=[("2026-01-01", 2.0), ("2026-03-20", 1.25)]
        )
        cls.eur = cls.env.company.currency_id
        revenue = cls.company_data["default_account_revenue"]
        cls.interest_account = revenue.copy({"code": "763100", "name": "Late interest"})
        cls.indemnity_account = revenue.copy({"code": "758100", "name": "Recovery indemnity"})
        cls.fee_account = revenue.copy({"code": "758200", "name": "Reminder fees"})
        cls.term_fr = cls._create_term(
            "France",
            [
                (
                    "Reminder",
                    7,
                    {"fee_amount": 10.0, "fee_per_invoice": 40.0, "interest_rate": 12.15},
                ),
                ("Formal notice", 14, {}),
            ],
            journal_id=cls.company_data["default_journal_misc"].id,
            interest_account_id=cls.interest_account.id,
            indemnity_account_id=cls.indemnity_account.id,
            fee_account_id=cls.fee_account.id,
        )
        cls.fr_reminder = cls.term_fr.level_ids.sorted("number")[0]
        (cls.partner_a | cls.partner_b).dunning_term_id = cls.term_fr
        cls.billing = new_test_user(
            cls.env,
            login="currency_billing",
            groups="account.group_account_invoice",
            company_id=cls.env.company.id,
        )

    def _by_currency(self, reminders):
        return {reminder.currency_id: reminder for reminder in reminders}

    # ------------------------------------------------------------------
    # Creation and charges
    # ------------------------------------------------------------------

    def test_eur_and_usd_invoices_get_two_reminders(self):
        eur_invoice = self._invoice("2026-03-02", 1000.0)
        usd_invoice = self._invoice("2026-03-02", 1000.0, currency=self.usd)
        reminder_model = self.Reminder.with_user(self.billing)
        with freeze_time("2026-03-19"):  # 1 EUR = 2 USD
            reminders = reminder_model._create_reminders()
        self.assertEqual(len(reminders), 2)
        self.assertEqual(reminders.partner_id, self.partner_a)
        by_currency = self._by_currency(reminders)
        self.assertEqual(set(by_currency), {self.eur, self.usd})
        eur_reminder, usd_reminder = by_currency[self.eur], by_currency[self.usd]
        self.assertEqual(eur_reminder.line_ids.move_id, eur_invoice)
        self.assertEqual(usd_reminder.line_ids.move_id, usd_invoice)
        # 1000 over 17 days (3 to 19 March) at 12.15 %, in each invoice's currency
        self.assertEqual(eur_reminder.amount_interest, 5.66)
        self.assertEqual(usd_reminder.amount_interest, 5.66)
        # EUR 40 indemnity and EUR 10 fee converted at the reminder date (2 USD)
        self.assertEqual(usd_reminder.line_ids.amount_fee_invoice, 80.0)
        self.assertEqual(usd_reminder.amount_fee, 100.0)
        self.assertEqual(eur_reminder.amount_fee, 50.0)
        self.assertEqual(usd_reminder.amount_total, 1105.66)
        self.assertEqual(
            {c: float(a) for c, a in usd_reminder._get_amounts_to_pay().items()},
            {self.usd: 1105.66},
        )
        # issued the day after, when 1 EUR = 1.25 USD: the charges stay those
        # of the reminder date, the entry's EUR balance is at its own date
        with freeze_time("2026-03-20"):
            reminders.with_user(self.billing).action_issue()
        self.assertEqual(set(reminders.mapped("state")), {"issued"})
        usd_move = usd_reminder.move_id
        self.assertEqual(usd_move.state, "posted")
        self.assertEqual(set(usd_move.line_ids.currency_id.mapped("name")), {"USD"})
        indemnity = usd_move.line_ids.filtered(
            lambda l: l.account_id == self.indemnity_account
        )
        self.assertEqual(indemnity.amount_currency, -80.0)
        self.assertEqual(indemnity.balance, -64.0)  # 80 USD at 1.25
        fee = usd_move.line_ids.filtered(lambda l: l.account_id == self.fee_account)
        self.assertEqual(fee.amount_currency, -20.0)
        receivable = usd_move.line_ids.filtered(
            lambda l: l.account_type == "asset_receivable"
        )
        self.assertEqual(receivable.currency_id, self.usd)
        self.assertEqual(receivable.amount_currency, 105.66)
        eur_move = eur_reminder.move_id
        self.assertEqual(set(eur_move.line_ids.currency_id.mapped("name")), {"EUR"})
        self.assertEqual(
            eur_move.line_ids.filtered(
                lambda l: l.account_id == self.indemnity_account
            ).balance,
            -40.0,
        )
        # The next reminder of each currency claims its own unpaid charges.
        with freeze_time("2026-03-31"):
            next_reminders = reminder_model._create_reminders()
        usd_next = self._by_currency(next_reminders)[self.usd]
        charges = usd_next.line_ids.filtered(lambda l: l.line_type == "charge")
        self.assertEqual(charges.move_id, usd_move)
        self.assertEqual(charges.currency_id, self.usd)

    def test_customer_owing_zero_usd_gets_only_the_eur_reminder(self):
        refund = self.init_invoice(
            "out_refund",
            partner=self.partner_b,
            invoice_date=fields.Date.to_date("2026-03-01"),
            amounts=[500.0],
            taxes=[],
            currency=self.usd,
        )
        refund.action_post()
        self._invoice("2026-03-02", 500.0, partner=self.partner_b, currency=self.usd)
        eur_invoice = self._invoice("2026-03-02", 300.0, partner=self.partner_b)
        with freeze_time("2026-03-19"):
            reminders = self._create(partners=self.partner_b)
        self.assertEqual(len(reminders), 1)
        self.assertEqual(reminders.currency_id, self.eur)
        self.assertEqual(reminders.line_ids.move_id, eur_invoice)
        self.assertEqual(reminders.amount_overdue, 300.0)

    def test_one_draft_per_customer_and_currency(self):
        self._invoice("2026-03-02", 1000.0)
        self._invoice("2026-03-02", 1000.0, currency=self.usd)
        with freeze_time("2026-03-19"):
            reminders = self._create()
            # created again: the same two drafts, recomputed
            self.assertEqual(self._create(), reminders)
        self.assertEqual(len(reminders), 2)
        eur_reminder = self._by_currency(reminders)[self.eur]
        with mute_logger("odoo.sql_db"), self.assertRaisesRegex(
            UserError, "one draft reminder per customer and currency"
        ):
            self.Reminder.create(
                {"partner_id": self.partner_a.id, "currency_id": self.eur.id}
            )
        # a draft never lists items of another currency: refused to a user
        # (issue 18: a user names the item only, checked at once) ...
        usd_line = self._by_currency(reminders)[self.usd].line_ids
        with self.assertRaisesRegex(UserError, "in EUR: it cannot list"):
            eur_reminder.write(
                {"line_ids": [fields.Command.create({"move_line_id": usd_line.move_line_id.id})]}
            )
        # ... and by the constraint to the module's own lines (superuser)
        with self.assertRaisesRegex(ValidationError, "cannot list items in USD"):
            eur_reminder.sudo().write(
                {
                    "line_ids": [
                        fields.Command.create(
                            self.env["account.dunning.reminder.line"]._prepare_line_vals(
                                usd_line.move_line_id,
                                eur_reminder.date,
                                "overdue",
                                False,
                                False,
                            )
                        )
                    ]
                }
            )
        # cancelled and reset to draft: refused while the other draft exists
        eur_reminder.action_cancel()
        self.Reminder.create(
            {"partner_id": self.partner_a.id, "currency_id": self.eur.id}
        )
        with self.assertRaisesRegex(UserError, "already has a draft reminder in EUR"):
            eur_reminder.action_draft()

    # ------------------------------------------------------------------
    # Contact policy: per customer, whatever the currency
    # ------------------------------------------------------------------

    def _received(self, partner, start, days):
        """What the customer received each day: {day offset: [(currency,
        level, emails)]} of the reminders issued that day."""
        reminders = self._reminders(partner, ("issued", "sent"))
        emails = self.env["mail.message"].search(
            [
                ("model", "=", "account.dunning.reminder"),
                ("res_id", "in", reminders.ids),
                ("message_type", "=", "comment"),
                ("partner_ids", "in", partner.ids),
            ]
        )
        received = defaultdict(list)
        for reminder in reminders.sorted(lambda r: (r.issue_date, r.currency_id.name)):
            sent = emails.filtered(lambda m, reminder=reminder: m.res_id == reminder.id)
            received[(reminder.issue_date - start).days].append(
                (
                    reminder.currency_id.name,
                    reminder.level_id.name,
                    len(sent),
                    (fields.Datetime.to_datetime(sent[:1].date).date() - start).days
                    if sent
                    else None,
                )
            )
        self.assertTrue(all(0 <= day < days for day in received))
        return dict(received)

    def test_contact_policy_counts_both_currencies_as_one_contact(self):
        """Seven days between two contacts, at most three contacts before the
        last level: the EUR and USD reminders issued the same day are one
        contact, sent together; a USD invoice reaching its level in a quiet
        period waits for the next contact."""
        term = self._create_term(
            "Spaced",
            [
                ("Information", 1, {}),
                ("Reminder", 7, {}),
                ("Firm reminder", 14, {}),
                ("Formal notice", 30, {}),
            ],
            min_contact_days=7,
            max_contacts_before_last=3,
        )
        self.partner_a.dunning_term_id = term
        self._invoice(D, 1000.0)
        self._invoice(D + timedelta(days=3), 800.0, currency=self.usd)
        self._daily_automation(D)
        self._run_days(D, 16)
        self.assertEqual(
            self._received(self.partner_a, D, 16),
            {
                # the EUR invoice alone; the USD one is not due yet
                1: [("EUR", "Information", 1, 1)],
                # the USD invoice reached its first level on D+4 in the quiet
                # period: it waited, both reminders went out on D+8
                8: [("EUR", "Reminder", 1, 8), ("USD", "Information", 1, 8)],
                # two contacts before (D+1, D+8), not three reminders: the cap
                # of three is not reached, no jump to the formal notice
                15: [("EUR", "Firm reminder", 1, 15), ("USD", "Reminder", 1, 15)],
            },
        )

    def test_same_day_reminders_issued_one_by_one(self):
        """Issued one at a time by a billing clerk the same day, the EUR and
        USD reminders are one contact: the second one is not refused by the
        seven days between two reminders, the next day's are."""
        self.term_fr.min_contact_days = 7
        self._invoice("2026-03-02", 1000.0)
        self._invoice("2026-03-02", 1000.0, currency=self.usd)
        with freeze_time("2026-03-19"):
            reminders = self.Reminder.with_user(self.billing)._create_reminders()
            eur_reminder = self._by_currency(reminders)[self.eur]
            usd_reminder = self._by_currency(reminders)[self.usd]
            eur_reminder.with_user(self.billing).action_issue()
            usd_reminder.with_user(self.billing).action_refresh()
            usd_reminder.with_user(self.billing).action_issue()
        self.assertEqual(set(reminders.mapped("issue_date")), {date(2026, 3, 19)})
        self._invoice("2026-03-10", 500.0, currency=self.usd)
        with freeze_time("2026-03-20"):
            # a USD invoice reaching its level the next day waits
            self.assertFalse(self._create())
        with freeze_time("2026-03-26"):
            # seven days later: the waiting USD invoice and the EUR formal notice
            later = self._create()
        self.assertEqual(set(later.currency_id), {self.eur, self.usd})
        self.assertIn(
            "2026-03-10",
            later.filtered(lambda r: r.currency_id == self.usd).line_ids.filtered(
                "is_new_level"
            ).mapped(lambda l: fields.Date.to_string(l.invoice_date)),
        )

    # ------------------------------------------------------------------
    # Percentage fees with a minimum and a maximum
    # ------------------------------------------------------------------

    def test_percentage_fee_with_bounds(self):
        self.fr_reminder.write(
            {
                "fee_type": "percentage",
                "fee_percent": 5.0,
                "fee_min": 10.0,
                "fee_max": 50.0,
                "fee_per_invoice": 0.0,
                "interest_rate": 0.0,
            }
        )
        level = self.fr_reminder
        day = date(2026, 4, 1)  # 1 EUR = 1.25 USD
        self.assertEqual(level._compute_reminder_fee(100.0, self.eur, day), 10.0)
        self.assertEqual(level._compute_reminder_fee(600.0, self.eur, day), 30.0)
        self.assertEqual(level._compute_reminder_fee(2000.0, self.eur, day), 50.0)
        # the bounds converted to the reminder's currency
        self.assertEqual(level._compute_reminder_fee(100.0, self.usd, day), 12.5)
        self.assertEqual(level._compute_reminder_fee(2000.0, self.usd, day), 62.5)
        self._invoice("2026-03-02", 600.0)
        self._invoice("2026-03-02", 600.0, currency=self.usd)
        with freeze_time("2026-04-01"):
            reminders = self.Reminder.with_user(self.billing)._create_reminders()
            by_currency = self._by_currency(reminders)
            self.assertEqual(by_currency[self.eur].amount_fee, 30.0)
            self.assertEqual(by_currency[self.usd].amount_fee, 30.0)
            reminders.with_user(self.billing).action_issue()
        fee = by_currency[self.usd].move_id.line_ids.filtered(
            lambda l: l.account_id == self.fee_account
        )
        self.assertEqual((fee.amount_currency, fee.balance), (-30.0, -24.0))

    def test_percentage_fee_bounds_validated(self):
        level = self.fr_reminder
        with self.assertRaisesRegex(ValidationError, "between 0 and 100"):
            level.write({"fee_type": "percentage", "fee_percent": 150.0})
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            level.write({"fee_type": "percentage", "fee_min": -1.0})
        with self.assertRaisesRegex(ValidationError, "minimum fee .* cannot exceed"):
            level.write({"fee_type": "percentage", "fee_min": 60.0, "fee_max": 50.0})
        notice = self.env["account.dunning.level"].create(
            {"term_id": self.term_fr.id, "name": "Courtesy", "delay_days": -3, "sequence": 0}
        )
        with self.assertRaisesRegex(ValidationError, "charges no fee"):
            notice.write({"fee_type": "percentage", "fee_percent": 2.0})
