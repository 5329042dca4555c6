# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import SUPERUSER_ID, fields, sql_db
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DunningCommon

# Columns that differ between two creations of the same row.
VOLATILE = {"id", "create_date", "write_date", "message_id", "date"}


@tagged("post_install", "-at_install")
class TestDunningBatchOutput(DunningCommon):
    """What a batch of the automation produces when it creates and issues
    reminders, to the value (issue 23 made these paths set-based, their
    output unchanged): the reminder lines, the journal items' reminder
    state, the notes on the invoices (in the company's language, French
    here) and the reminders' tracking notes; each set-based path compared
    column by column with the ORM path it replaces; and the queries of
    creating and issuing a batch, which do not grow with its customers."""

    @classmethod
    def setup_independent_company(cls, **kwargs):
        # a EUR company, invoices in EUR and USD
        eur = cls.env.ref("base.EUR")
        eur.active = True
        return super().setup_independent_company(currency_id=eur.id, **kwargs)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["mail", "account", "account_dunning_automation"], ["fr_FR"], overwrite=True
        )
        cls.env.company.partner_id.lang = "fr_FR"
        cls.level_1.with_context(lang="fr_FR").name = "Relance amicale"
        revenue = cls.company_data["default_account_revenue"]
        cls.term.write(
            {
                "journal_id": cls.company_data["default_journal_misc"].id,
                "interest_account_id": revenue.copy({"code": "763100"}).id,
                "indemnity_account_id": revenue.copy({"code": "758100"}).id,
                "fee_account_id": revenue.copy({"code": "758200"}).id,
            }
        )
        # Interest and the fee per invoice: amounts rounded in two currencies.
        cls.level_1.write({"interest_rate": 12.15, "fee_per_invoice": 40.0})
        cls.env.user.groups_id += cls.env.ref("base.group_multi_currency")
        cls.usd = cls.setup_other_currency(
            "USD", rates=[("2026-01-01", 2.0), ("2026-03-20", 1.2345)]
        )
        cls.partner_c = cls.env["res.partner"].create(
            {"name": "Client C", "is_company": True, "email": "c@example.com"}
        )
        cls.inv_a_eur = cls._invoice("2026-03-02", 1000.0, partner=cls.partner_a)
        cls.inv_a_usd = cls._invoice(
            "2026-03-02", 1000.0, partner=cls.partner_a, currency=cls.usd
        )
        cls.inv_b = cls._invoice("2026-03-20", 333.33, partner=cls.partner_b)
        cls.inv_c = cls._invoice("2026-04-01", 50.0, partner=cls.partner_c)

    def _cron_day(self, day):
        """The cron entry point as the cron calls it: as superuser (OdooBot,
        English), one day."""
        cron_env = self.env(user=SUPERUSER_ID, context={"lang": "en_US"})
        with freeze_time(day):
            cron_env["account.dunning.automation"]._cron_run_due()

    def _rows(self, table, ids, skip=()):
        """The rows ``ids`` of ``table`` as stored, without the columns that
        differ between two creations."""
        self.env.flush_all()
        self.env.cr.execute(
            f"SELECT * FROM {table} WHERE id = ANY(%s) ORDER BY id",  # noqa: S608
            [list(ids)],
        )
        names = [column.name for column in self.env.cr.description]
        return [
            {n: v for n, v in zip(names, row, strict=True) if n not in VOLATILE | set(skip)}
            for row in self.env.cr.fetchall()
        ]

    # ------------------------------------------------------------------
    # The output of a batch, to the value
    # ------------------------------------------------------------------

    def test_batch_output_to_the_value(self):
        self._daily_automation("2026-04-01")
        self._cron_day("2026-04-01")
        reminders = self.Reminder.search(
            [("partner_id", "in", (self.partner_a | self.partner_b | self.partner_c).ids)]
        )
        # One reminder per customer and currency; C's invoice is due today,
        # its first level tomorrow.
        by_key = {(r.partner_id, r.currency_id): r for r in reminders}
        eur = self.env.company.currency_id
        self.assertEqual(
            set(by_key),
            {(self.partner_a, eur), (self.partner_a, self.usd), (self.partner_b, eur)},
        )
        rem_a, rem_a_usd, rem_b = (
            by_key[(self.partner_a, eur)],
            by_key[(self.partner_a, self.usd)],
            by_key[(self.partner_b, eur)],
        )
        odoobot = self.env.ref("base.partner_root")
        # The lines, every stored value.
        expected_lines = {
            rem_a: {
                "move_id": self.inv_a_eur.id,
                "company_id": self.env.company.id,
                "currency_id": eur.id,
                "line_type": "overdue",
                "date_due": date(2026, 3, 2),
                "days_overdue": 30,
                "amount_residual": 1000.0,
                "amount_residual_currency": 1000.0,
                "amount_fee_invoice": 40.0,
                "amount_interest": 9.99,  # 1000 x 12.15 % x 30 / 365
                "amount_interest_company": 9.99,
                "interest_date_from": date(2026, 3, 3),
                "interest_date_to": date(2026, 4, 1),
                "level_id": self.level_1.id,
                "is_new_level": True,
                "escalation": "escalated",
                "term_id": self.term.id,
                "previous_level_id": False,
                "previous_level_number": 0,
                "previous_date": False,
                "previous_count": 0,
                "previous_interest_date": False,
                "excluded": False,
                "note": False,
            },
            rem_a_usd: {
                "move_id": self.inv_a_usd.id,
                "currency_id": self.usd.id,
                "amount_residual": 500.0,  # at the invoice's rate (2)
                "amount_residual_currency": 1000.0,
                "amount_fee_invoice": 49.38,  # 40 EUR x 1.2345
                "amount_interest": 9.99,
                "amount_interest_company": 8.09,  # 9.99 / 1.2345, rounded
                "days_overdue": 30,
                "is_new_level": True,
            },
            rem_b: {
                "move_id": self.inv_b.id,
                "date_due": date(2026, 3, 20),
                "days_overdue": 12,
                "amount_residual": 333.33,
                "amount_fee_invoice": 40.0,
                "amount_interest": 1.33,  # 333.33 x 12.15 % x 12 / 365
                "amount_interest_company": 1.33,
                "interest_date_from": date(2026, 3, 21),
                "is_new_level": True,
            },
        }
        for reminder, expected in expected_lines.items():
            line = reminder.line_ids
            self.assertEqual(len(line), 1, reminder.display_name)
            actual = {
                name: (line[name].id if hasattr(line[name], "_name") else line[name])
                for name in expected
            }
            self.assertEqual(actual, expected, reminder.display_name)
            # in the company's language, with its date format
            self.assertEqual(
                line.explanation,
                "Atteint le niveau Relance amicale, prévu le 21/03/2026."
                if reminder == rem_b
                else "Atteint le niveau Relance amicale, prévu le 03/03/2026.",
            )
            self.assertEqual((line.create_uid.id, line.write_uid.id), (SUPERUSER_ID,) * 2)
        # The totals of the reminders, recomputed from their lines.
        self.assertRecordValues(
            rem_a | rem_a_usd | rem_b,
            [
                {"amount_overdue": 1000.0, "amount_interest": 9.99, "amount_fee": 40.0,
                 "amount_total": 1049.99, "amount_total_company": 1049.99,
                 "level_id": self.level_1.id, "state": "issued", "issue_date": date(2026, 4, 1)},
                {"amount_overdue": 1000.0, "amount_interest": 9.99, "amount_fee": 49.38,
                 "amount_total": 1059.37, "amount_total_company": 548.09,
                 "level_id": self.level_1.id, "state": "issued", "issue_date": date(2026, 4, 1)},
                {"amount_overdue": 333.33, "amount_interest": 1.33, "amount_fee": 40.0,
                 "amount_total": 374.66, "amount_total_company": 374.66,
                 "level_id": self.level_1.id, "state": "issued", "issue_date": date(2026, 4, 1)},
            ],
        )
        # The reminder state of the journal items.
        for invoice, interest_date in (
            (self.inv_a_eur, date(2026, 4, 1)),
            (self.inv_a_usd, date(2026, 4, 1)),
            (self.inv_b, date(2026, 4, 1)),
        ):
            item = self._receivable_line(invoice)
            self.assertRecordValues(
                item,
                [
                    {
                        "dunning_level_id": self.level_1.id,
                        "dunning_level_number": 1,
                        "dunning_last_date": date(2026, 4, 1),
                        "dunning_count": 1,
                        "dunning_fee_charged": True,
                        "dunning_interest_date": interest_date,
                        "dunning_notice_count": 0,
                    }
                ],
            )
            self.assertEqual(item.write_uid.id, SUPERUSER_ID)
            self.assertEqual(invoice.dunning_last_date, date(2026, 4, 1))
        untouched = self._receivable_line(self.inv_c)
        self.assertEqual((untouched.dunning_count, untouched.dunning_level_id.id), (0, False))
        # The note on each invoice: in the company's language, by the
        # cron's user, an internal note like _message_log_batch's.
        note_subtype = self.env.ref("mail.mt_note")
        for invoice, reminder in (
            (self.inv_a_eur, rem_a),
            (self.inv_a_usd, rem_a_usd),
            (self.inv_b, rem_b),
        ):
            notes = invoice.message_ids.filtered(lambda m: "Relance de paiement" in m.body)
            self.assertEqual(len(notes), 1, invoice.name)
            self.assertRecordValues(
                notes.sudo(),
                [
                    {
                        "body": f"<p>Relance de paiement {reminder.name} émise : "
                        "niveau Standard - Relance amicale.</p>",
                        "author_id": odoobot.id,
                        "email_from": odoobot.email_formatted,
                        "message_type": "notification",
                        "subtype_id": note_subtype.id,
                        "is_internal": True,
                        "model": "account.move",
                        "res_id": invoice.id,
                        "record_name": False,
                        "subject": False,
                        "email_add_signature": False,
                        "partner_ids": [],
                        "attachment_ids": [],
                        "tracking_value_ids": [],
                        "parent_id": False,
                        "create_uid": SUPERUSER_ID,
                    }
                ],
            )
            self.assertTrue(notes.message_id)
            self.assertTrue(notes.reply_to)
            self.assertFalse(notes.notification_ids)
        # The tracking note of each reminder's issue: its values in French.
        for reminder in rem_a | rem_a_usd | rem_b:
            tracked = reminder.message_ids.sudo().filtered(
                lambda m: "issue_date" in m.tracking_value_ids.field_id.mapped("name")
            )
            self.assertEqual(len(tracked), 1, reminder.name)
            self.assertRecordValues(
                tracked,
                [
                    {
                        "author_id": odoobot.id,
                        "message_type": "notification",
                        "subtype_id": note_subtype.id,
                        "is_internal": True,
                        "body": "",
                        "model": "account.dunning.reminder",
                        "res_id": reminder.id,
                    }
                ],
            )
            values = {
                t.field_id.name: (t.old_value_char, t.new_value_char, t.new_value_datetime)
                for t in tracked.tracking_value_ids
            }
            self.assertEqual(values["state"][:2], ("Brouillon", "Émise"))
            self.assertEqual(
                fields.Date.to_date(values["issue_date"][2]), date(2026, 4, 1)
            )
        # The charges entries: one per reminder, fee per invoice and interest.
        for reminder, total in ((rem_a, 49.99), (rem_a_usd, 59.37), (rem_b, 41.33)):
            self.assertEqual(reminder.move_id.state, "posted")
            self.assertAlmostEqual(reminder.move_id.amount_total, total)
        # A second run the same day adds nothing.
        counts = (
            self.env["mail.message"].search_count([]),
            self.env["account.dunning.reminder.line"].search_count([]),
        )
        self._cron_day("2026-04-01")
        self.assertEqual(
            counts,
            (
                self.env["mail.message"].search_count([]),
                self.env["account.dunning.reminder.line"].search_count([]),
            ),
        )

    # ------------------------------------------------------------------
    # Each set-based path against the ORM path it replaces
    # ------------------------------------------------------------------

    def test_lines_stored_as_create_stores_them(self):
        line_model = self.env["account.dunning.reminder.line"]
        with freeze_time("2026-04-01"):
            drafts = self._create(partners=self.partner_a | self.partner_b)
            self.assertEqual(len(drafts), 3)
            values = [
                [
                    {
                        name: line[name].id if hasattr(line[name], "_name") else line[name]
                        for name in (
                            "move_line_id", "line_type", "date_due", "days_overdue",
                            "currency_id", "amount_residual", "amount_residual_currency",
                            "amount_fee_invoice", "amount_interest",
                            "amount_interest_company", "interest_date_from",
                            "interest_date_to", "interest_rate_text",
                            "interest_description", "escalation", "explanation",
                            "term_id", "level_id", "is_new_level", "previous_level_id",
                            "previous_level_number", "previous_date", "previous_count",
                            "previous_interest_date",
                        )
                    }
                    for line in draft.line_ids
                ]
                for draft in drafts
            ]
            # unrounded amounts, as a computation may give them
            values[0][0]["amount_interest"] += 0.004
            values[1][0]["amount_interest_company"] -= 0.0049
            totals = ["amount_total", "amount_total_company", "amount_interest", "level_id"]

            def make(create):
                drafts.line_ids.unlink()
                if create:
                    # the ORM path
                    vals_list = [
                        dict(vals, reminder_id=draft.id)
                        for draft, lines in zip(drafts, values, strict=True)
                        for vals in lines
                    ]
                    lines = line_model.sudo().create(vals_list)
                else:
                    lines = line_model._dunning_create_lines(drafts, values)
                self.env.flush_all()
                rows = self._rows("account_dunning_reminder_line", lines.ids)
                # the cache as create() leaves it
                cached = [
                    {
                        name: line[name]
                        for name in line._fields
                        # the link's access token is made on its first read
                        if name not in VOLATILE | {"portal_url", "display_name"}
                    }
                    for line in lines
                ]
                self.env.invalidate_all()
                return rows, cached, drafts.read(totals)

            savepoint = self.env.cr.savepoint()
            by_orm = make(create=True)
            savepoint.close(rollback=True)
            self.env.invalidate_all()
            inserted = make(create=False)
        self.assertEqual(inserted[0], by_orm[0])
        self.assertEqual(inserted[2], by_orm[2])
        self.assertEqual(len(inserted[1]), 3)
        for by_insert, by_create in zip(inserted[1], by_orm[1], strict=True):
            self.assertEqual(by_insert.keys(), by_create.keys())
            for name in by_create:
                self.assertEqual(by_insert[name], by_create[name], name)
        # rounded to the currency of each amount
        self.assertEqual(inserted[0][0]["amount_interest"], 9.99)
        self.assertEqual(inserted[2][0]["amount_interest"], 9.99)

    def test_batch_of_lines_refuses_stranger_items(self):
        """The items of a batch of lines are checked in one query: each kind
        of stranger item is refused as one by one, and nothing is created."""
        line_model = self.env["account.dunning.reminder.line"]
        eur = self.env.company.currency_id
        draft_invoice = self.init_invoice(
            "out_invoice", partner=self.partner_a, amounts=[10.0], taxes=[]
        )
        with freeze_time("2026-04-01"):
            drafts = self._create(partners=self.partner_a | self.partner_b)
            rem_a = drafts.filtered(
                lambda r: r.partner_id == self.partner_a and r.currency_id == eur
            )
            rem_b = drafts.filtered(lambda r: r.partner_id == self.partner_b)
            good = line_model._prepare_line_vals(
                self._receivable_line(self.inv_b), date(2026, 4, 1), "overdue", False, False
            )
            strangers = {
                "another customer": self._receivable_line(self.inv_c),
                "another currency": self._receivable_line(self.inv_a_usd),
                "not a receivable": self.inv_a_eur.line_ids.filtered(
                    lambda l: l.account_type != "asset_receivable"
                )[:1],
                "not posted": self._receivable_line(draft_invoice),
            }
            count = line_model.search_count([])
            for why, item in strangers.items():
                with self.subTest(why), self.assertRaisesRegex(UserError, "cannot list"):
                    line_model._dunning_create_lines(
                        rem_b | rem_a, [[good], [dict(good, move_line_id=item.id)]]
                    )
                self.assertEqual(line_model.search_count([]), count, why)
            # the same items, each with its own reminder: accepted
            lines = line_model._dunning_create_lines(
                rem_b | rem_a,
                [[good], [dict(good, move_line_id=self._receivable_line(self.inv_a_eur).id)]],
            )
            self.assertEqual(lines.reminder_id, rem_a | rem_b)

    def test_notes_logged_as_message_log_batch_logs_them(self):
        invoices = (self.inv_a_eur | self.inv_b).sudo()
        bodies = {
            self.inv_a_eur.id: "Relance de paiement R/1 émise : niveau l'<Information> & co.",
            self.inv_b.id: "Payment reminder R/2 issued.<br/>Second line",
        }
        batch = self.env["account.dunning.mail.batch"]

        def log(by_orm):
            if by_orm:
                messages = invoices._message_log_batch(bodies=bodies)
            else:
                messages = batch._dunning_log_notes(invoices, bodies)
            return self._rows("mail_message", messages.ids), [
                invoice.message_ids[:1].body for invoice in invoices
            ]

        savepoint = self.env.cr.savepoint()
        by_orm = log(True)
        savepoint.close(rollback=True)
        self.env.invalidate_all()
        inserted = log(False)
        self.assertEqual(inserted, by_orm)
        self.assertEqual(
            inserted[1][0],
            "<p>Relance de paiement R/1 émise : niveau l'&lt;Information&gt; &amp; co.</p>",
        )

    def test_item_state_written_as_write_writes_it(self):
        items = self._receivable_line(self.inv_a_eur) | self._receivable_line(self.inv_b)
        values = {
            "dunning_level_id": self.level_2.id,
            "dunning_level_number": 2,
            "dunning_last_date": date(2026, 4, 1),
            "dunning_count": 3,
            "dunning_fee_charged": True,
            "dunning_interest_date": date(2026, 3, 31),
            "dunning_notice_count": 1,
        }

        def write(by_orm):
            if by_orm:
                items.sudo().with_context(tracking_disable=True).write(values)
            else:
                items.sudo()._dunning_write_state(values)
            cached = [
                (item.dunning_level_id, item.dunning_count, item.move_id.dunning_last_date)
                for item in items
            ]
            return self._rows("account_move_line", items.ids), cached

        savepoint = self.env.cr.savepoint()
        by_orm = write(True)
        savepoint.close(rollback=True)
        self.env.invalidate_all()
        self.assertEqual(write(False), by_orm)
        # only the reminder state, and only by the module
        with self.assertRaises(ValueError):
            items.sudo()._dunning_write_state({"name": "x"})
        with self.assertRaises(UserError):
            items._dunning_write_state({"dunning_count": 9})

    # ------------------------------------------------------------------
    # Queries
    # ------------------------------------------------------------------

    def test_queries_do_not_grow_with_customers(self):
        """Creating and issuing a batch of 9 customers takes (almost) the
        queries of a batch of 3: nothing is read or written per customer or
        per invoice."""
        action_class = type(self.env["account.dunning.automation.action"])
        execute = action_class._execute
        counted = {}

        def counting(action, *args):
            before = sql_db.sql_counter
            try:
                return execute(action, *args)
            finally:
                if action.action_type in ("create", "issue"):
                    counted[action.action_type] = (
                        counted.get(action.action_type, 0) + sql_db.sql_counter - before
                    )

        # No charges: their entry is posted per reminder (an invoice, its
        # sequence, its checks), the same work whatever the batch.
        self.level_1.write({"interest_rate": 0.0, "fee_per_invoice": 0.0})
        customers = self.env["res.partner"].create(
            [
                {"name": f"Customer {i}", "is_company": True, "email": f"c{i}@example.com"}
                for i in range(9)
            ]
        )
        for customer in customers[:3]:
            self._invoice("2026-03-25", 100.0, partner=customer)
            self._invoice("2026-03-26", 200.0, partner=customer)
        self.env["account.dunning.automation"].search([]).unlink()
        automation = self._daily_automation("2026-04-01")
        automation.partner_domain = f"[('id', 'in', {customers.ids})]"

        def run():
            counted.clear()
            savepoint = self.env.cr.savepoint()
            with patch.object(action_class, "_execute", counting):
                self._cron_day("2026-04-01")
            reminded = self.Reminder.search_count(
                [("partner_id", "in", customers.ids), ("state", "!=", "draft")]
            )
            savepoint.close(rollback=True)
            self.env.invalidate_all()
            return dict(counted), reminded

        run()  # the caches of the registry warmed up
        three, reminded = run()
        self.assertEqual(reminded, 3)
        for customer in customers[3:]:
            self._invoice("2026-03-25", 100.0, partner=customer)
            self._invoice("2026-03-26", 200.0, partner=customer)
        nine, reminded = run()
        self.assertEqual(reminded, 9)
        for phase in ("create", "issue"):
            # a constant of a few queries at most: e.g. one more sequence
            # number range, never one per customer (6 more here)
            self.assertLessEqual(nine[phase] - three[phase], 3, (phase, three, nine))
