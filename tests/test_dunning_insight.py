# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import DunningCommon

REPORT_MODELS = (
    "account.dunning.aging.report",
    "account.dunning.kpi.report",
    "account.dunning.collection.report",
    "account.dunning.effectiveness.report",
)


class InsightCommon(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner_c = cls.env["res.partner"].create(
            {"name": "partner_c", "is_company": True, "email": "c@example.com"}
        )

    @classmethod
    def _invoice_due(cls, due, amount, partner, invoice_date=None):
        """Posted customer invoice dated ``invoice_date`` (default: the due
        date) and due on ``due``."""
        due = fields.Date.to_date(due)
        invoice = cls.init_invoice(
            "out_invoice",
            partner=partner,
            invoice_date=fields.Date.to_date(invoice_date) if invoice_date else due,
            amounts=[amount],
            taxes=[],
        )
        invoice.invoice_payment_term_id = False
        invoice.invoice_date_due = due
        invoice.action_post()
        return invoice

    def _remind(self, partners, day):
        """Create and issue the reminders of ``partners`` on ``day``."""
        with freeze_time(day):
            reminders = self._create(partners=partners, as_of=fields.Date.to_date(day))
            reminders.action_issue()
        return reminders


@tagged("post_install", "-at_install")
class TestDunningInsightReports(InsightCommon):
    """Dashboard figures equal hand-computed values."""

    def test_aging_dso_overdue_rate(self):
        today = fields.Date.context_today(self.env.user)

        def day(n):
            return today + timedelta(days=n)

        a, b = self.partner_a, self.partner_b
        self._invoice_due(day(10), 1000, a, invoice_date=today)  # not due
        self._invoice_due(day(-5), 2000, a)  # 1-30
        self._invoice_due(day(-45), 3000, a)  # 31-60
        self._invoice_due(day(-75), 4000, a)  # 61-90
        self._invoice_due(day(-120), 5000, a)  # over 90
        paid = self._invoice_due(day(-100), 15000, a)
        self._pay(paid, date=day(-90))
        self._invoice_due(day(-30), 600, b)  # 1-30 (30 days)
        self._invoice_due(day(-31), 700, b)  # 31-60 (31 days)
        refund = self.init_invoice(
            "out_refund", partner=b, invoice_date=day(-2), amounts=[100], taxes=[]
        )
        refund.action_post()
        self.env.flush_all()
        aging = self.env["account.dunning.aging.report"]
        company = [("company_id", "=", self.env.company.id)]
        self.assertEqual(
            aging._dunning_buckets(company + [("partner_id", "=", a.id)]),
            {
                "not_due": 1000.0,
                "1_30": 2000.0,
                "31_60": 3000.0,
                "61_90": 4000.0,
                "90_plus": 5000.0,
                "credit": 0.0,
            },
        )
        self.assertEqual(
            aging._dunning_buckets(company + [("partner_id", "=", b.id)]),
            {
                "not_due": 0.0,
                "1_30": 600.0,
                "31_60": 700.0,
                "61_90": 0.0,
                "90_plus": 0.0,
                "credit": -100.0,
            },
        )
        # Pivot by customer: one column per bucket.
        rows = aging.read_group(
            company,
            ["amount_1_30:sum", "amount_31_60:sum", "amount_90_plus:sum", "overdue_rate"],
            ["partner_id"],
        )
        by_partner = {row["partner_id"][0]: row for row in rows}
        self.assertEqual(by_partner[b.id]["amount_1_30"], 600.0)
        self.assertEqual(by_partner[b.id]["amount_31_60"], 700.0)
        self.assertEqual(by_partner[a.id]["amount_90_plus"], 5000.0)
        # Overdue rate of B: 1 300 overdue / 1 300 open debits (issue 21: the
        # credit is not deducted from the base, the rate never exceeds 100 %).
        self.assertEqual(by_partner[b.id]["overdue_rate"], 100.0)

        # DSO, 365-day method. A: 15 000 open / 30 000 invoiced x 365.
        # Company: 16 200 open / 31 200 invoiced x 365 = 189.52 days;
        # overdue 15 300 / 16 300 open debits = 93.87 %.
        kpi = self.env["account.dunning.kpi.report"]
        rows = kpi.read_group(company, ["dso_365", "overdue_rate"], ["partner_id"])
        by_partner = {row["partner_id"][0]: row for row in rows}
        self.assertEqual(by_partner[a.id]["dso_365"], 182.5)
        self.assertEqual(by_partner[a.id]["overdue_rate"], 93.33)
        ratios = kpi._dunning_group_ratios(company)
        self.assertEqual((ratios["dso_365"], ratios["overdue_rate"]), (189.52, 93.87))
        self.assertEqual(a.dunning_overdue_ratio, 93.33)
        # Per account manager: A's manager sees A's figures only.
        manager = new_test_user(
            self.env, login="collector", groups="account.group_account_invoice"
        )
        a.dunning_responsible_id = manager
        self.env.flush_all()
        rows = kpi.read_group(company, ["dso_365", "amount_receivable"], ["responsible_id"])
        mine = {
            (row["amount_receivable"], row["dso_365"])
            for row in rows
            if row["responsible_id"] and row["responsible_id"][0] == manager.id
        }
        self.assertEqual(mine, {(15000.0, 182.5)})

    def test_dso_countback(self):
        """Invoices 15 to 40 days old, all open: the countback DSO counts the
        days of sales they represent, not 365 (the 365-day method's answer
        for a customer invoiced only lately)."""
        today = fields.Date.context_today(self.env.user)
        first = today.replace(day=1)
        previous = first - timedelta(days=1)  # last day of the previous month
        a, b = self.partner_a, self.partner_b
        self._invoice_due(today, 1000, a, invoice_date=first)
        self._invoice_due(today, 2000, a, invoice_date=previous.replace(day=10))
        # Two months ago, paid: outside what the receivables cover.
        old_month = (previous.replace(day=1) - timedelta(days=1)).replace(day=10)
        self._pay(self._invoice_due(today, 3000, a, invoice_date=old_month))
        # B: 600 open of this month's 1 200.
        paid_half = self._invoice_due(today, 1200, b, invoice_date=first)
        self._pay(paid_half, amount=600)
        self.env.flush_all()
        # A: this month's 1 000 (today.day days) then the whole previous
        # month's 2 000 (all its days).
        expected_a = today.day + previous.day
        self.assertEqual(a.dunning_dso, expected_a)
        kpi = self.env["account.dunning.kpi.report"]
        company = [("company_id", "=", self.env.company.id)]
        rows = kpi.read_group(company, ["dso", "dso_365"], ["partner_id"])
        by_partner = {row["partner_id"][0]: row for row in rows}
        self.assertEqual(by_partner[a.id]["dso"], expected_a)
        self.assertEqual(by_partner[a.id]["dso_365"], 182.5)  # 3 000 / 6 000 x 365
        # B: 600 of this month's 1 200: half of its days.
        self.assertEqual(by_partner[b.id]["dso"], round(today.day / 2, 2))
        self.assertEqual(b.dunning_dso, round(today.day / 2, 2))
        # The company: 3 600 open against this month's 2 200, then 1 400 of
        # the previous month's 2 000.
        self.assertEqual(
            kpi._dunning_group_ratios(company)["dso"],
            round(today.day + previous.day * 1400 / 2000, 2),
        )

    def test_promises_kept_and_broken(self):
        """The promises dashboard counts what the nightly check closed: by
        month of the promised date, kept / broken / open, with the amounts."""
        a, b, c = self.partner_a, self.partner_b, self.partner_c
        paid = self._invoice_due("2026-03-01", 1000, a)
        self._invoice_due("2026-03-01", 2000, b)
        self._invoice_due("2026-03-01", 500, c)
        promise_model = self.env["account.dunning.promise"]
        with freeze_time("2026-03-05"):
            promises = promise_model.create(
                [
                    {"partner_id": a.id, "promised_date": date(2026, 3, 15), "amount": 1000.0},
                    {"partner_id": b.id, "promised_date": date(2026, 3, 20), "amount": 2000.0},
                    {"partner_id": c.id, "promised_date": date(2026, 4, 10), "amount": 500.0},
                ]
            )
        self._pay(paid, date="2026-03-12")
        kept, broken = promise_model._check_promises(as_of=date(2026, 3, 21))
        self.assertEqual((kept.partner_id, broken.partner_id), (a, b))
        action = self.env.ref("account_dunning_automation.action_account_dunning_promise_report")
        domain = safe_eval(action.domain) + [("id", "in", promises.ids)]
        rows = promise_model._read_group(
            domain, ["promised_date:month", "state"], ["__count", "amount:sum"]
        )
        self.assertEqual(
            sorted((month.month, state, count, amount) for month, state, count, amount in rows),
            [(3, "broken", 1, 2000.0), (3, "kept", 1, 1000.0), (4, "open", 1, 500.0)],
        )
        # Today's promises: those whose date has come, still open.
        today = self.env.ref("account_dunning_automation.action_account_dunning_promises_today")
        with freeze_time("2026-04-10"):
            due = promise_model.search(
                safe_eval(today.domain, {"context_today": date.today})
                + [("id", "in", promises.ids)]
            )
        self.assertEqual(due.partner_id, c)

    def test_effectiveness_per_level_and_cei(self):
        a, b = self.partner_a, self.partner_b
        i1 = self._invoice_due("2026-01-05", 1000, a)
        i2 = self._invoice_due("2026-01-05", 3000, a)
        i3 = self._invoice_due("2026-01-05", 2000, b)
        i4 = self._invoice_due("2026-02-15", 1200, b, invoice_date="2026-01-20")
        first = self._remind(a | b, "2026-01-06")
        self.assertEqual(first.level_id, self.level_1)
        self._pay(i1, date="2026-01-10")  # A: 4 days after level 1
        second = self._remind(b, "2026-01-12")
        self.assertEqual(second.level_id, self.level_2)
        self._pay(i3, amount=500, date="2026-01-15")  # B: 3 days after level 2
        self._pay(i2, amount=1500, date="2026-01-18")  # A: 12 days after level 1
        self._pay(i2, amount=1500, date="2026-02-01")  # A: 26 days after level 1
        self.env.flush_all()
        report = self.env["account.dunning.effectiveness.report"]
        company = [("company_id", "=", self.env.company.id)]
        rows = report.read_group(
            company,
            ["amount_reminded", "paid_7_share", "paid_14_share", "paid_30_share"],
            ["level_id", "issue_date:month"],
            lazy=False,
        )
        by_level = {row["level_id"][0]: row for row in rows}
        # Level 1: 6 000 reminded (A 4 000, B 2 000); paid within 7 days
        # 1 000, within 14 days 1 000 + 1 500 + 500, within 30 days 4 500.
        level_1 = by_level[self.level_1.id]
        self.assertEqual(level_1["__count"], 2)
        self.assertEqual(level_1["amount_reminded"], 6000.0)
        self.assertEqual(
            (level_1["paid_7_share"], level_1["paid_14_share"], level_1["paid_30_share"]),
            (16.67, 50.0, 75.0),
        )
        level_2 = by_level[self.level_2.id]
        self.assertEqual((level_2["__count"], level_2["amount_reminded"]), (1, 2000.0))
        self.assertEqual(
            (level_2["paid_7_share"], level_2["paid_14_share"], level_2["paid_30_share"]),
            (25.0, 25.0, 25.0),
        )

        # CEI. January: nothing open at start, 7 200 invoiced, 4 200 open at
        # the end of which 1 200 not due: 3 000 / 6 000 = 50 %. February:
        # 4 200 at start, 1 500 collected, nothing left not due: 35.71 %.
        cei = self.env["account.dunning.collection.report"]
        rows = cei.read_group(
            company,
            ["amount_opening", "amount_sales", "amount_closing",
             "amount_closing_current", "cei"],
            ["month:month"],
        )
        by_month = {row["month:month"]: row for row in rows}
        months = [key for key in by_month if "2026" in key]
        january = next(by_month[m] for m in months if m.startswith("January"))
        february = next(by_month[m] for m in months if m.startswith("February"))
        self.assertEqual(
            [january[k] for k in ("amount_opening", "amount_sales", "amount_closing",
                                  "amount_closing_current", "cei")],
            [0.0, 7200.0, 4200.0, 1200.0, 50.0],
        )
        self.assertEqual(
            [february[k] for k in ("amount_opening", "amount_sales", "amount_closing",
                                   "amount_closing_current", "cei")],
            [4200.0, 0.0, 2700.0, 0.0, 35.71],
        )
        self.assertTrue(i4)

    def test_dashboard_loads_for_a_billing_user(self):
        clerk = new_test_user(
            self.env,
            login="clerk",
            groups="account.group_account_invoice",
            company_id=self.env.company.id,
            company_ids=[self.env.company.id],
        )
        self._invoice_due("2026-01-05", 1000, self.partner_a)
        self._remind(self.partner_a, "2026-01-06")
        self.env.flush_all()
        menu = self.env.ref("account_dunning_automation.menu_account_dunning_insight")
        visible = self.env["ir.ui.menu"].with_user(clerk)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        for child in menu.child_id:
            self.assertIn(child.id, visible, child.name)
            action = child.action
            if action._name == "ir.actions.server":
                result = action.with_user(clerk).run()
            else:
                # As the web client loads it: the action's groups are checked
                # by the menu, its record read as superuser.
                result = action.sudo().read()[0]
            model = self.env[result["res_model"]].with_user(clerk)
            views = [(False, mode) for mode in result["view_mode"].split(",")]
            model.get_views(views + [(False, "search")])
            domain = result.get("domain") or []
            if isinstance(domain, str):
                domain = safe_eval(domain, {"uid": clerk.id, "context_today": date.today})
            model.search_read(domain, ["display_name"], limit=5)
        for name in REPORT_MODELS:
            model = self.env[name].with_user(clerk)
            measures = [
                f for f, field in model._fields.items()
                if field.type in ("monetary", "float") and field.store
            ]
            rows = model.read_group([], measures, ["company_id"])
            self.assertLessEqual(len(rows), 1)
            model.get_views([(False, "pivot"), (False, "graph"), (False, "search")])
        # The customer's tab (score, next reminder) opens for the clerk.
        partner = self.partner_a.with_user(clerk)
        partner.get_views([(False, "form")])
        partner.read(["dunning_profile", "dunning_score", "dunning_next_contact_date"])


@tagged("post_install", "-at_install")
class TestDunningScore(InsightCommon):
    """Nightly payment score and profile of three customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.strict = cls._create_term("Strict", [("Formal notice", 1, {})])

    def _history(self):
        a, b, c = self.partner_a, self.partner_b, self.partner_c
        # A: always on time; an unpaid invoice older than 12 months is
        # outside the window.
        for due in ("2026-03-01", "2026-04-01"):
            self._pay(self._invoice_due(due, 1000, a), date=due)
        self._invoice_due("2025-06-01", 1000, a)
        # B: 1 000 paid 12 days late after one reminder, 3 000 on time.
        late = self._invoice_due("2026-03-01", 1000, b)
        self._remind(b, "2026-03-02")
        self._pay(late, date="2026-03-13")
        self._pay(self._invoice_due("2026-04-01", 3000, b), date="2026-04-01")
        # C: 1 000 paid 30 days late, 2 000 due on 1 May still unpaid.
        self._pay(self._invoice_due("2026-02-01", 1000, c), date="2026-03-03")
        self._invoice_due("2026-05-01", 2000, c)

    def _scores(self):
        return {
            p.name: (
                p.dunning_score_days_late,
                p.dunning_score_late_share,
                p.dunning_score_reminders,
                p.dunning_score,
                p.dunning_profile,
            )
            for p in (self.partner_a, self.partner_b, self.partner_c)
        }

    def test_scores_and_profiles_of_three_customers(self):
        self._history()
        with freeze_time("2026-06-30"):
            self.env["res.partner"]._cron_dunning_score(batch_size=2)
        self.env.invalidate_all()
        # B: 12 x 1 000 / 4 000 = 3 days, 50 % late, 0.5 reminder per
        #    invoice: 100 - 2.5 - 15 - 5 = 77.5.
        # C: (30 x 1 000 + 60 x 2 000) / 3 000 = 50 days, all late:
        #    100 - 41.67 - 30 = 28.33.
        self.assertEqual(
            self._scores(),
            {
                "partner_a": (0.0, 0.0, 0.0, 100.0, "A"),
                "partner_b": (3.0, 50.0, 0.5, 77.5, "B"),
                "partner_c": (50.0, 100.0, 0.0, 28.33, "D"),
            },
        )
        self.assertEqual(self.partner_a.dunning_score_invoice_count, 2)
        # Stored per company and searchable, as a filter of automations.
        partners = self.env["res.partner"].search([("dunning_profile", "in", ["D", "E"])])
        self.assertIn(self.partner_c, partners)
        self.assertNotIn(self.partner_b, partners)
        other = self.partner_c.with_company(self.setup_other_company()["company"])
        self.assertFalse(other.dunning_profile)
        automation = self.env["account.dunning.automation"].create(
            {
                "name": "Bad payers",
                "partner_domain": "[('dunning_profile', 'in', ['D', 'E'])]",
                "action_ids": [Command.create({"action_type": "create"})],
            }
        )
        self.assertEqual(
            automation._filter_partners(self.partner_a | self.partner_b | self.partner_c, []),
            self.partner_c,
        )

    def test_thresholds_in_settings(self):
        settings = self.env["res.config.settings"].create(
            {"dunning_profile_a_min": 95, "dunning_profile_b_min": 90}
        )
        settings.execute()
        self.assertEqual(self.env.company._dunning_profile_thresholds(), (95, 90, 40, 20))
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"dunning_profile_c_min": 92})
        with self.assertRaises(ValidationError):
            self.env.company.dunning_profile_d_min = -1

    def test_rule_assigns_terms_when_the_profile_changes(self):
        rule = self.env["account.dunning.rule"].create(
            {
                "name": "Profile D gets the Strict terms",
                "model_name": "res.partner",
                "trigger": "on_field_change",
                "trigger_field_ids": [
                    Command.set([self.env.ref(
                        "account_dunning_automation.field_res_partner__dunning_profile"
                    ).id])
                ],
                "filter_domain": "[('dunning_profile', '=', 'D')]",
                "action_ids": [
                    Command.create({"action_type": "assign_term", "term_id": self.strict.id})
                ],
            }
        )
        self.assertTrue(rule.automation_id)
        self._history()
        self.assertFalse(self.partner_c.dunning_term_id)
        with freeze_time("2026-06-30"):
            self.env["res.partner"]._cron_dunning_score()
        self.assertEqual(self.partner_c.dunning_profile, "D")
        self.assertEqual(self.partner_c.dunning_term_id, self.strict)
        self.assertFalse(self.partner_b.dunning_term_id)
        # The accountant raises the bar: B (77.5) falls to D the next night.
        self.env.company.write(
            {
                "dunning_profile_a_min": 95,
                "dunning_profile_b_min": 90,
                "dunning_profile_c_min": 85,
                "dunning_profile_d_min": 50,
            }
        )
        with freeze_time("2026-07-01"):
            self.env["res.partner"]._cron_dunning_score()
        self.assertEqual(self.partner_b.dunning_profile, "D")
        self.assertEqual(self.partner_b.dunning_term_id, self.strict)
        self.assertEqual(self.partner_a.dunning_profile, "A")
        self.assertFalse(self.partner_a.dunning_term_id)


@tagged("post_install", "-at_install")
class TestDunningForecast(InsightCommon):
    """The forecast of the next 30 days is what the daily automation then
    actually sends, day by day."""

    @staticmethod
    def _rows(forecast):
        """(date, customer, level, amount, charges) of forecast records."""
        return [
            (f.date, f.partner_id.id, f.level_number, f.amount, f.amount_charges)
            for f in forecast
        ]

    def _sent_day_by_day(self, start, days):
        """Run the automations' cron and the mail queue day by day from
        ``start`` and return what was sent each day, as forecast rows: (date,
        customer, level, amount, charges); nothing is ever left behind
        (drafts, issued not sent: a reminder is sent when its email left)."""
        sent = []
        for offset in range(days):
            day = start + timedelta(days=offset)
            self._run_days(day, 1)
            reminders = self.Reminder.search(
                [("sent_date", "=", day), ("state", "=", "sent")]
            )
            sent += [
                (
                    day,
                    r.partner_id.id,
                    r.level_number,
                    r.amount_overdue + r.amount_credit,
                    r.amount_fee + r.amount_interest,
                )
                for r in reminders.sorted(lambda r: r.partner_id.id)
            ]
            self.assertFalse(
                self.Reminder.search([("state", "in", ("draft", "issued"))])
            )
        return sent

    def test_forecast_matches_the_daily_automation(self):
        a, b, c = self.partner_a, self.partner_b, self.partner_c
        self._invoice_due("2026-01-03", 1000, a)
        self._invoice_due("2026-01-10", 2000, a, invoice_date="2025-12-20")
        self._invoice_due("2025-12-28", 500, b)
        self._invoice_due("2026-01-20", 800, c, invoice_date="2025-12-20")
        refund = self.init_invoice(
            "out_refund", partner=b, invoice_date=date(2025, 12, 30), amounts=[100], taxes=[]
        )
        refund.action_post()
        # Customer C is held: never contacted, never forecast.
        c.dunning_blocked = True
        automation = self.env["account.dunning.automation"].create(
            {
                "name": "Daily reminders",
                "cadence": "custom",
                "cadence_formula": "1D",
                "action_ids": [
                    Command.create({"action_type": kind, "sequence": n})
                    for n, kind in enumerate(("create", "issue", "send"))
                ],
            }
        )
        start = date(2026, 1, 1)
        forecast_model = self.env["account.dunning.forecast"]
        with freeze_time(start):
            self.assertFalse(forecast_model._compute_contacts(self.env.company))
            automation.action_start()
            records = forecast_model.action_open_forecast(a.ids)
            company_forecast = forecast_model._fill(self.env.company)
            self.env.invalidate_all()
            self.assertEqual(a.dunning_next_contact_date, date(2026, 1, 4))
            self.assertEqual(a.dunning_next_contact_level_id, self.level_1)
            self.assertFalse(c.dunning_next_contact_date)
        mine = forecast_model.search(records["domain"])
        self.assertEqual(set(mine.partner_id.ids), {a.id})
        expected = self._rows(company_forecast)
        self.assertEqual(
            [(f.date, f.partner_id.id, f.level_number) for f in mine],
            [row[:3] for row in expected if row[1] == a.id],
        )
        # By hand (J+1, J+7, J+14, J+30, each next level counted from the
        # last reminder): B from 1 January, A's two invoices due on the 3rd
        # and the 10th.
        self.assertEqual(
            [(d.day, "a" if p == a.id else "b", lvl) for d, p, lvl, _am, _ch in expected],
            [
                (1, "b", 1), (4, "a", 1), (7, "b", 2), (10, "a", 2), (11, "a", 1),
                (14, "b", 3), (17, "a", 3), (24, "a", 3), (30, "b", 4),
            ],
        )
        self.assertEqual(expected[0][3], 400.0)  # B: 500 less the 100 credit note
        self.assertEqual(company_forecast[0].channels, "Email")

        sent = self._sent_day_by_day(start, 31)
        self.assertEqual(sent, sorted(expected, key=lambda row: (row[0], row[1])))
        self.assertFalse([row for row in sent if row[1] == c.id])

    def test_forecast_follows_the_contact_policy_and_charges(self):
        """Terms that space the contacts (7 days, at most 2 reminders before
        the formal notice), a courtesy notice, a fee, a recovery indemnity and
        interest: the forecast made on the first day is, day by day, what the
        daily automation sends over the next 30 days, with the amounts and
        the charges of each reminder."""
        revenue = self.company_data["default_account_revenue"]
        term = self._create_term(
            "Spaced",
            [
                ("Courtesy", -3, {}),
                ("Reminder", 1, {}),
                ("Second reminder", 7, {"fee_amount": 10.0}),
                (
                    "Firm reminder",
                    14,
                    {"fee_amount": 15.0, "fee_per_invoice": 40.0, "interest_rate": 12.0},
                ),
                ("Formal notice", 30, {"interest_rate": 12.0}),
            ],
            min_contact_days=7,
            max_contacts_before_last=2,
            journal_id=self.company_data["default_journal_misc"].id,
            interest_account_id=revenue.copy({"code": "763100"}).id,
            indemnity_account_id=revenue.copy({"code": "758100"}).id,
            fee_account_id=revenue.copy({"code": "758200"}).id,
        )
        self.env.company.dunning_term_id = term
        a, b = self.partner_a, self.partner_b
        self._invoice_due("2026-02-20", 1000, a)
        self._invoice_due("2026-02-27", 2000, a, invoice_date="2026-02-01")
        self._invoice_due("2026-03-10", 500, a, invoice_date="2026-02-10")
        self._invoice_due("2026-03-05", 800, b, invoice_date="2026-02-05")
        start = date(2026, 3, 1)
        self._daily_automation(start)
        forecast_model = self.env["account.dunning.forecast"]
        with freeze_time(start):
            forecast = forecast_model._fill(self.env.company)
        expected = self._rows(forecast)
        # By hand (levels 1 courtesy J-3, 2 J+1, 3 J+7, 4 J+14, 5 J+30).
        # A: J+1 of its two overdue invoices on the 1st; the courtesy notice
        # of the 10 March invoice on the 7th inside the quiet period (notices
        # do not count); level 3 on the 8th (fee 10); two reminders before
        # the last level reached: the 15th goes to the formal notice for the
        # three invoices, with interest at 12 % from their due dates (23, 16
        # and 5 days: 7.56 + 10.52 + 0.82), no fee, no indemnity (level 4 is
        # skipped); then nothing (the last level is sent once). B: notice on
        # the 2nd, J+1 on the 6th, level 3 on the 13th, formal notice on the
        # 20th (15 days of interest on 800: 3.95).
        self.assertEqual(
            [(d.day, "a" if p == a.id else "b", lvl, ch) for d, p, lvl, _am, ch in expected],
            [
                (1, "a", 2, 0.0),
                (2, "b", 1, 0.0),
                (6, "b", 2, 0.0),
                (7, "a", 1, 0.0),
                (8, "a", 3, 10.0),
                (13, "b", 3, 10.0),
                (15, "a", 5, 18.9),
                (20, "b", 5, 3.95),
            ],
        )
        sent = self._sent_day_by_day(start, 31)
        self.assertEqual(sent, sorted(expected, key=lambda row: (row[0], row[1])))
