# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command, api, fields, sql_db
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

CUSTOMERS = 6
RUN_LOGGER = "odoo.addons.account_dunning_automation.models.account_dunning_automation_run"
BATCH_SIZE = 3


@tagged("post_install", "-at_install")
class TestDunningAutomationWorkers(TransactionCase):
    """Several workers share one run: two batches of the same run taken at
    the same time by two database connections (two cron workers, or two
    Odoo servers on one database) get different customers, and none is
    processed twice, also when a batch dies before its commit.

    Two real connections are needed for row locks to matter: the data is
    committed through them (the test's own transaction creates nothing, so
    that it holds no lock they could wait for) and deleted at the end."""

    def setUp(self):
        super().setUp()
        self.dbname = self.env.cr.dbname
        self.cursors = []
        self.partner_ids = []
        self.automation_id = None
        self.term_id = None
        self.addCleanup(self._cleanup)
        cr = self._cursor()
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env.ref("base.main_company")
        env = env(context={"allowed_company_ids": company.ids})
        self.today = fields.Date.context_today(env["res.partner"])
        term = env["account.dunning.term"].create(
            {
                "name": "Workers test",
                "company_id": company.id,
                "min_contact_days": 0,
                "max_contacts_before_last": 0,
                "level_ids": [
                    Command.create(
                        {"name": "Reminder", "sequence": 1, "delay_days": 1, "send_email": True}
                    )
                ],
            }
        )
        self.term_id = term.id
        partners = env["res.partner"].create(
            [
                {"name": f"Worker customer {i}", "is_company": True, "email": f"w{i}@example.com"}
                for i in range(CUSTOMERS)
            ]
        )
        self.partner_ids = partners.ids
        partners.with_company(company).write({"dunning_term_id": term.id})
        income = env["account.account"].search(
            [("company_ids", "in", company.id), ("account_type", "=", "income")], limit=1
        )
        due = self.today - timedelta(days=10)
        env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "invoice_date": due,
                    "invoice_date_due": due,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Service",
                                "quantity": 1,
                                "price_unit": 100.0,
                                "account_id": income.id,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
                for partner in partners
            ]
        ).action_post()
        automation = env["account.dunning.automation"].create(
            {
                "name": "Workers test",
                "company_id": company.id,
                "batch_size": BATCH_SIZE,
                # this test's customers only (the database may hold others)
                "partner_domain": repr([("id", "in", partners.ids)]),
                "action_ids": [
                    Command.create({"action_type": action, "sequence": index})
                    for index, action in enumerate(("create", "issue", "send"), 1)
                ],
            }
        )
        self.automation_id = automation.id
        self.run_id = automation._start_run(self.today, scheduled=False).id
        # committed on purpose: the other connection must see the data
        cr.commit()  # pylint: disable=invalid-commit

    def _cursor(self):
        """A real connection of its own (not the test's cursor)."""
        cr = sql_db.db_connect(self.dbname).cursor()
        # A lock this test did not expect fails it instead of hanging it.
        cr.execute("SET lock_timeout = '20s'")
        self.cursors.append(cr)
        return cr

    def _run(self, cr):
        """The run, as a worker (the cron, as superuser) sees it on ``cr``."""
        env = api.Environment(cr, SUPERUSER_ID, {})
        return env["account.dunning.automation.run"].browse(self.run_id)._dunning_in_company_lang()

    def _cleanup(self):
        for cr in self.cursors:
            if not cr.closed:
                cr.rollback()
                cr.close()
        with sql_db.db_connect(self.dbname).cursor() as cr:
            partners = tuple(self.partner_ids) or (0,)
            cr.execute(
                "SELECT id FROM account_dunning_reminder WHERE partner_id IN %s", [partners]
            )
            reminders = tuple(row[0] for row in cr.fetchall()) or (0,)
            cr.execute("SELECT id FROM account_move WHERE partner_id IN %s", [partners])
            moves = tuple(row[0] for row in cr.fetchall()) or (0,)
            cr.execute(
                "DELETE FROM mail_message WHERE (model = 'account.dunning.reminder' "
                "AND res_id IN %s) OR (model = 'account.move' AND res_id IN %s) "
                "OR (model = 'res.partner' AND res_id IN %s)",
                [reminders, moves, partners],
            )
            cr.execute("DELETE FROM account_dunning_automation WHERE id = %s",
                       [self.automation_id or 0])
            cr.execute("DELETE FROM account_dunning_reminder WHERE id IN %s", [reminders])
            cr.execute("DELETE FROM account_move WHERE id IN %s", [moves])
            cr.execute("DELETE FROM res_partner WHERE id IN %s", [partners])
            cr.execute("DELETE FROM account_dunning_term WHERE id = %s", [self.term_id or 0])
            cr.commit()  # pylint: disable=invalid-commit

    def _reminders_per_customer(self, cr):
        cr.execute(
            "SELECT p.id, (SELECT count(*) FROM account_dunning_reminder r "
            "WHERE r.partner_id = p.id), (SELECT count(*) FROM mail_mail mm "
            "JOIN mail_message m ON m.id = mm.mail_message_id "
            "JOIN account_dunning_reminder r ON r.id = m.res_id "
            "AND m.model = 'account.dunning.reminder' WHERE r.partner_id = p.id) "
            "FROM res_partner p WHERE p.id IN %s ORDER BY p.id",
            [tuple(self.partner_ids)],
        )
        return {partner_id: (reminders, mails) for partner_id, reminders, mails in cr.fetchall()}

    def _batches(self, cr):
        cr.execute(
            "SELECT b.id, b.state, array_agg(i.partner_id ORDER BY i.partner_id) "
            "FROM account_dunning_automation_batch b "
            "LEFT JOIN account_dunning_automation_run_item i ON i.batch_id = b.id "
            "WHERE b.run_id = %s GROUP BY b.id ORDER BY b.id",
            [self.run_id],
        )
        return cr.fetchall()

    def test_two_batches_at_once_take_different_customers(self):
        cr_a, cr_b = self._cursor(), self._cursor()
        run_a, run_b = self._run(cr_a), self._run(cr_b)
        # Worker A takes a batch and works on it: its transaction holds its
        # customers until its commit...
        self.assertEqual(run_a._process_batch(), BATCH_SIZE)
        # ... while worker B, at the same time, takes the next batch: not
        # waiting for A's customers, not taking them.
        self.assertEqual(run_b._process_batch(), BATCH_SIZE)
        cr_b.commit()
        cr_a.commit()
        batches = self._batches(cr_a)
        self.assertEqual([state for _id, state, _partners in batches], ["done", "done"])
        taken_a, taken_b = (set(partners) for _id, _state, partners in batches)
        self.assertFalse(taken_a & taken_b, "a customer was taken by both batches")
        self.assertEqual(taken_a | taken_b, set(self.partner_ids))
        # Nothing left to take: the run ends, once.
        run = self._run(cr_a)
        run.env.invalidate_all()
        self.assertIsNone(run._process_batch())
        self.assertTrue(run._advance())
        cr_a.commit()
        run.env.invalidate_all()
        self.assertEqual(
            (run.state, run.batch_count, run.created_count, run.issued_count, run.sent_count),
            ("done", 2, CUSTOMERS, CUSTOMERS, CUSTOMERS),
        )
        self.assertEqual(
            set(self._reminders_per_customer(cr_a).values()), {(1, 1)},
            "each customer: one reminder, one email",
        )

    def test_batch_killed_before_its_commit_is_taken_again_once(self):
        cr_a, cr_b = self._cursor(), self._cursor()
        run_a = self._run(cr_a)
        # Worker A commits its batch's row (as _take_batch does), works on the
        # batch, and dies before its commit (time limit, crash).
        batch = run_a.env["account.dunning.automation.batch"].create(
            {"run_id": run_a.id, "phase": 0, "size": BATCH_SIZE, "worker": "A"}
        )
        cr_a.execute(
            SQL(
                "UPDATE account_dunning_automation_batch SET create_date = create_date "
                "- interval '1 minute' WHERE id = %s",
                batch.id,
            )
        )
        cr_a.commit()
        self.assertEqual(run_a._process_batch(batch), BATCH_SIZE)
        cr_a.rollback()
        cr_a.close()
        # Worker B sees the dead batch (its row left running, held by no one):
        # smaller batches from now on; its customers are still to do.
        run_b = self._run(cr_b)
        with self.assertLogs(RUN_LOGGER, "WARNING") as logs:
            self.assertEqual(run_b._next_batch_size(), BATCH_SIZE // 2)
        self.assertIn("a batch was interrupted", logs.output[0])
        taken = 0
        while (processed := run_b._process_batch()) is not None:
            taken += processed
        cr_b.commit()
        self.assertEqual(taken, CUSTOMERS)
        batches = self._batches(cr_b)
        self.assertEqual(batches[0][1:], ("killed", [None]))
        self.assertEqual({state for _id, state, _partners in batches[1:]}, {"done"})
        self.assertEqual(
            set(self._reminders_per_customer(cr_b).values()), {(1, 1)},
            "each customer: one reminder, one email",
        )
        run_b.env.invalidate_all()
        self.assertEqual((run_b.state, run_b.created_count), ("done", CUSTOMERS))


@tagged("post_install", "-at_install")
class TestDunningAutomationWorkerCrons(TransactionCase):
    """The setting of the workers: as many crons take part in the runs."""

    def _triggered(self):
        self.env["account.dunning.automation"]._trigger_cron()
        return self.env["ir.cron.trigger"].search(
            [("cron_id", "in", self.crons.ids)]
        ).cron_id

    def setUp(self):
        super().setUp()
        self.crons = self.env.ref("account_dunning_automation.ir_cron_dunning_automation")
        for number in range(2, 5):
            self.crons |= self.env.ref(
                f"account_dunning_automation.ir_cron_dunning_automation_worker_{number}"
            )
        self.env["ir.cron.trigger"].search([("cron_id", "in", self.crons.ids)]).unlink()

    def test_one_worker_by_default(self):
        self.assertEqual(self._triggered(), self.crons[0])

    def test_two_workers_trigger_two_crons(self):
        self.env["res.config.settings"].create({"dunning_cron_workers": 2}).execute()
        self.assertEqual(
            self.env["ir.config_parameter"].get_param("account_dunning_automation.cron_workers"),
            "2",
        )
        self.assertEqual(self._triggered(), self.crons[:2])

    def test_out_of_range_refused(self):
        for value in (0, 5):
            with self.assertRaises(ValidationError):
                self.env["res.config.settings"].create({"dunning_cron_workers": value})
        # a wrong value written elsewhere falls back to one worker
        self.env["ir.config_parameter"].set_param("account_dunning_automation.cron_workers", "x")
        self.assertEqual(self._triggered(), self.crons[0])

    def test_helper_cron_processes_the_runs(self):
        run_model = type(self.env["account.dunning.automation.run"])
        calls = []
        with patch.object(run_model, "_process_running", lambda self, **kw: calls.append(kw)):
            self.crons[1].method_direct_trigger()
        self.assertEqual(calls, [{}])
