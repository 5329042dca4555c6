# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningReminder(DunningCommon):
    def test_escalation_over_three_runs(self):
        invoice = self._invoice("2026-01-10")
        line = self._receivable_line(invoice)

        with freeze_time("2026-01-10"):  # due today: not overdue yet
            self.assertFalse(self._create())
        with freeze_time("2026-01-11"):  # J+1
            first = self._create()
            self.assertEqual(first.partner_id, self.partner_a)
            self.assertEqual(first.level_id, self.level_1)
            self.assertEqual(first.line_ids.move_line_id, line)
            self.assertEqual(first.line_ids.days_overdue, 1)
            first.action_issue()
        self.assertEqual(first.state, "issued")
        self.assertEqual(line.dunning_level_id, self.level_1)
        self.assertEqual(line.dunning_last_date, date(2026, 1, 11))
        self.assertEqual(line.dunning_count, 1)

        with freeze_time("2026-01-16"):  # 5 days after the first reminder: wait
            self.assertFalse(self._create())
        with freeze_time("2026-01-17"):  # J+7 = 6 days after level 1 (gap 7-1)
            second = self._create()
            self.assertEqual(second.level_id, self.level_2)
            second.action_issue()
        with freeze_time("2026-01-24"):  # J+14
            third = self._create()
            self.assertEqual(third.level_id, self.level_3)
            third.action_issue()

        self.assertEqual(len({first.id, second.id, third.id}), 3)
        self.assertEqual(line.dunning_level_id, self.level_3)
        self.assertEqual(line.dunning_level_number, 3)
        self.assertEqual(line.dunning_count, 3)
        self.assertEqual(invoice.dunning_level_number, 3)
        self.assertEqual(invoice.dunning_reminder_count, 3)

    def test_late_reminder_keeps_interval_from_previous(self):
        self._invoice("2026-01-10")
        with freeze_time("2026-01-20"):  # first run long after J+1
            first = self._create()
            self.assertEqual(first.level_id, self.level_1)
            first.action_issue()
        with freeze_time("2026-01-25"):  # J+15 but only 5 days after level 1
            self.assertFalse(self._create())
        with freeze_time("2026-01-26"):
            self.assertEqual(self._create().level_id, self.level_2)

    def test_jump_mode_catches_up(self):
        self.term.escalation_mode = "jump"
        self._invoice("2026-01-10")
        with freeze_time("2026-01-30"):  # J+20: level 3 (J+14) reached
            self.assertEqual(self._create().level_id, self.level_3)

    def test_no_duplicate_on_rerun(self):
        self._invoice("2026-01-10")
        with freeze_time("2026-01-11"):
            first = self._create()
            again = self._create()
            self.assertEqual(again, first)
            self.assertEqual(len(self._reminders()), 1)
            self.assertEqual(len(first.line_ids), 1)
            first.action_issue()
            self.assertFalse(self._create())
        self.assertEqual(len(self._reminders()), 1)

    def test_max_reminders_stops_and_repeats(self):
        term = self._create_term("Two levels", [("One", 1, {}), ("Two", 5, {})],
                                 max_reminders=3)
        self.partner_a.dunning_term_id = term
        line = self._receivable_line(self._invoice("2026-01-10"))
        for day, number in (("2026-01-11", 1), ("2026-01-15", 2), ("2026-01-19", 2)):
            with freeze_time(day):
                reminder = self._create()
                self.assertEqual(reminder.level_id.number, number, day)
                reminder.action_issue()
        self.assertEqual(line.dunning_count, 3)
        with freeze_time("2026-03-01"):
            self.assertFalse(self._create())

    def test_paid_lines_drop_out(self):
        invoice_1 = self._invoice("2026-01-05", 400.0)
        invoice_2 = self._invoice("2026-01-06", 600.0)
        with freeze_time("2026-01-11"):
            reminder = self._create()
            self.assertEqual(reminder.line_ids.move_id, invoice_1 + invoice_2)
            self.assertEqual(reminder.amount_overdue, 1000.0)
            self._pay(invoice_1, date="2026-01-11")
            self.assertEqual(self._create(), reminder)
            self.assertEqual(reminder.line_ids.move_id, invoice_2)
            self.assertEqual(reminder.amount_overdue, 600.0)
            self._pay(invoice_2, date="2026-01-11")
            self.assertFalse(self._create())
        self.assertEqual(reminder.state, "cancel")

    def test_paid_before_issue_is_not_recorded(self):
        invoice_1 = self._invoice("2026-01-05", 400.0)
        invoice_2 = self._invoice("2026-01-06", 600.0)
        with freeze_time("2026-01-11"):
            reminder = self._create()
            self._pay(invoice_1, date="2026-01-11")
            reminder.action_issue()
        self.assertEqual(reminder.line_ids.move_id, invoice_2)
        self.assertFalse(self._receivable_line(invoice_1).dunning_level_id)
        self.assertEqual(self._receivable_line(invoice_2).dunning_level_id, self.level_1)

    def test_partial_payment_updates_amount(self):
        invoice = self._invoice("2026-01-05", 1000.0)
        with freeze_time("2026-01-11"):
            self._pay(invoice, amount=300.0, date="2026-01-08")
            reminder = self._create()
        self.assertEqual(reminder.amount_overdue, 700.0)

    def test_disputed_invoice_excluded(self):
        disputed = self._invoice("2026-01-05", 400.0)
        disputed.write({"dunning_blocked": True, "dunning_block_reason": "Dispute"})
        other = self._invoice("2026-01-05", 600.0)
        with freeze_time("2026-01-11"):
            reminder = self._create()
        self.assertEqual(reminder.line_ids.move_id, other)
        disputed_only = self._invoice("2026-01-05", 100.0, partner=self.partner_b)
        disputed_only.dunning_blocked = True
        with freeze_time("2026-01-11"):
            self.assertFalse(self._create(partners=self.partner_b))

    def test_items_on_hold_listed_for_information(self):
        disputed = self._invoice("2026-01-05", 400.0)
        disputed.write({"dunning_blocked": True, "dunning_block_reason": "Dispute"})
        invoice = self._invoice("2026-01-06", 600.0)
        self._invoice("2026-01-05", 900.0, partner=self.partner_b).dunning_blocked = True
        with freeze_time("2026-01-11"):
            # Items on hold alone never make a reminder.
            self.assertFalse(self._create(include_blocked=True, partners=self.partner_b))
            reminder = self._create(include_blocked=True)
        on_hold = reminder.line_ids.filtered(lambda l: l.line_type == "blocked")
        self.assertEqual(on_hold.move_id, disputed)
        self.assertFalse(on_hold.is_new_level)
        self.assertEqual(on_hold.days_overdue, 6)
        self.assertEqual(reminder.amount_overdue, 600.0)
        self.assertEqual(reminder.amount_total, 600.0)
        with freeze_time("2026-01-11"):
            reminder.action_refresh()  # keeps listing the items on hold
            self.assertEqual(
                reminder.line_ids.filtered(lambda l: l.line_type == "blocked").move_id,
                disputed,
            )
            reminder.action_issue()
        self.assertFalse(self._receivable_line(disputed).dunning_level_id)
        self.assertEqual(self._receivable_line(invoice).dunning_level_id, self.level_1)
        html = self.env["ir.actions.report"]._render_qweb_html(
            "account_dunning_automation.report_dunning_reminder", reminder.ids
        )[0].decode()
        self.assertIn("Items on hold", html)
        self.assertIn(disputed.name, html)

    def test_blocked_customer_excluded(self):
        self._invoice("2026-01-05")
        self._invoice("2026-01-05", partner=self.partner_b)
        self.partner_a.dunning_blocked = True
        with freeze_time("2026-01-11"):
            reminders = self._create()
        self.assertEqual(reminders.partner_id, self.partner_b)

    def test_invoice_terms_override(self):
        slow = self._create_term("Slow", [("Late", 20, {})])
        invoice = self._invoice("2026-01-05")
        invoice.dunning_term_id = slow
        with freeze_time("2026-01-11"):
            self.assertFalse(self._create())
        with freeze_time("2026-01-25"):
            reminder = self._create()
        self.assertEqual(reminder.line_ids.level_id, slow.level_ids)

    def test_not_due_items_listed_on_request(self):
        overdue = self._invoice("2026-01-05", 100.0)
        not_due = self._invoice("2026-02-05", 200.0)
        with freeze_time("2026-01-11"):
            reminder = self._create()
            self.assertEqual(reminder.line_ids.move_id, overdue)
            reminder = self._create(include_not_due=True)
        by_type = {line.line_type: line.move_id for line in reminder.line_ids}
        self.assertEqual(by_type, {"overdue": overdue, "not_due": not_due})
        self.assertEqual(reminder.amount_not_due, 200.0)
        self.assertEqual(reminder.amount_overdue, 100.0)

    def test_overdue_items_without_new_level_are_listed(self):
        older = self._invoice("2026-01-01")
        with freeze_time("2026-01-02"):
            self._create().action_issue()
        newer = self._invoice("2026-01-04")
        with freeze_time("2026-01-05"):  # newer reaches level 1, older waits
            reminder = self._create()
        new_line = reminder.line_ids.filtered("is_new_level")
        self.assertEqual(new_line.move_id, newer)
        old_line = reminder.line_ids - new_line
        self.assertEqual(old_line.move_id, older)
        self.assertEqual(old_line.level_id, self.level_1)
        self.assertEqual(reminder.level_id, self.level_1)

    def test_min_amount_of_level(self):
        self.level_1.min_amount = 500.0
        self._invoice("2026-01-05", 300.0)
        with freeze_time("2026-01-11"):
            self.assertFalse(self._create())
            self._invoice("2026-01-06", 300.0)
            reminder = self._create()
        self.assertEqual(reminder.amount_overdue, 600.0)

    def test_totals_per_currency(self):
        """One reminder per customer and currency, each with its own totals."""
        other_currency = self.setup_other_currency("EUR")
        self._invoice("2026-01-05", 100.0)
        self._invoice("2026-01-05", 250.0, currency=other_currency)
        self._invoice("2026-01-06", 50.0, currency=other_currency)
        with freeze_time("2026-01-11"):
            reminders = self._create()
        self.assertEqual(len(reminders), 2)
        company_currency = self.env.company.currency_id
        by_currency = {r.currency_id.name: r for r in reminders}
        self.assertEqual(set(by_currency), {company_currency.name, "EUR"})
        for name, amount in ((company_currency.name, 100.0), ("EUR", 300.0)):
            reminder = by_currency[name]
            self.assertEqual(set(reminder.line_ids.currency_id.mapped("name")), {name})
            totals = reminder._get_totals_by_currency()
            self.assertEqual(
                {currency.name: float(total) for currency, total in totals.items()},
                {name: amount},
            )
            self.assertEqual(reminder.amount_overdue, amount)
        self.assertIn("300.00", by_currency["EUR"].totals_by_currency)

    def test_create_wizard(self):
        self._invoice("2026-01-05")
        self._invoice("2026-01-05", partner=self.partner_b)
        wizard_form = Form(
            self.env["account.dunning.create.wizard"].with_context(
                active_model="res.partner", active_ids=self.partner_b.ids
            )
        )
        wizard_form.date = date(2026, 1, 11)
        wizard = wizard_form.save()
        wizard.action_create()
        reminders = self.Reminder.search(wizard.action_open_reminders()["domain"])
        self.assertEqual(reminders.partner_id, self.partner_b)
        self.assertEqual(reminders.date, date(2026, 1, 11))
        empty = Form(self.env["account.dunning.create.wizard"])
        empty.date = date(2026, 1, 5)
        with self.assertRaisesRegex(UserError, "No reminder to create"):
            empty.save().action_create()
