# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningSecurity(DunningCommon):
    """Every Odoo role works with the module, as real users (not the
    superuser): salesmen and purchase users open invoices, bills and
    customers; billing users run reminders; auditors read; nobody bypasses
    the reminder's lifecycle."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.other_company = cls.setup_other_company()["company"]
        common = {"company_id": company.id, "company_ids": [company.id]}
        cls.billing = new_test_user(
            cls.env,
            login="billing",
            groups="account.group_account_invoice,base.group_partner_manager",
            **common,
        )
        cls.auditor = new_test_user(
            cls.env,
            login="auditor",
            groups="base.group_user,account.group_account_readonly",
            **common,
        )
        cls.internal = new_test_user(
            cls.env, login="internal", groups="base.group_user,base.group_partner_manager", **common
        )
        cls.accountant = new_test_user(
            cls.env,
            login="accountant",
            groups="account.group_account_user,account_dunning_automation.group_dunning_manager",
            **common,
        )
        cls.salesman = cls._role_user("salesman", "sales_team.group_sale_salesman", **common)
        cls.buyer = cls._role_user("buyer", "purchase.group_purchase_user", **common)
        cls.invoice = cls._invoice("2026-01-10")
        cls.bill = cls.init_invoice(
            "in_invoice", partner=cls.partner_b, invoice_date="2026-01-10", amounts=[500.0]
        )
        cls.bill.action_post()
        # The fees and interest of the reminders are posted in a general
        # journal on income accounts, as the billing user.
        cls.term.write(
            {
                "journal_id": cls.company_data["default_journal_misc"].id,
                "fee_account_id": cls.company_data["default_account_revenue"].id,
            }
        )
        cls.level_1.fee_amount = 10.0

    @classmethod
    def _role_user(cls, login, group_xmlid, **values):
        """A salesman or a purchase user, with Odoo's own groups (scripts/test.sh
        installs sale and purchase beside the module for them). Like every
        internal user by default, they may create contacts."""
        if not cls.env.ref(group_xmlid, raise_if_not_found=False):
            return cls.env["res.users"]
        return new_test_user(
            cls.env,
            login=login,
            groups=f"base.group_user,base.group_partner_manager,{group_xmlid}",
            **values,
        )

    # ------------------------------------------------------------------
    # Users outside accounting
    # ------------------------------------------------------------------

    def test_salesman_and_buyer_open_invoices_bills_customers(self):
        if not (self.salesman and self.buyer):
            self.skipTest("sale and purchase are not installed (scripts/test.sh installs them)")
        self._create(as_of=fields.Date.to_date("2026-01-12"))
        self._reminders().action_issue()
        # The invoice has a reminder: the stat button and fields exist for
        # accountants, and must not break the form of the others.
        self.assertEqual(self.invoice.dunning_reminder_count, 1)
        # What Odoo's own rules let them see: salesmen their invoices,
        # purchase users the vendor bills; both the customers.
        self.invoice.invoice_user_id = self.salesman
        for user, move in ((self.salesman, self.invoice), (self.buyer, self.bill)):
            form = Form(move.with_user(user))
            self.assertEqual(form.partner_id, move.partner_id)
            with self.assertRaises(AccessError):
                move.with_user(user).read(["dunning_reminder_count"])
            with Form(self.partner_a.with_user(user)) as customer:
                customer.comment = f"Seen by {user.login}"
            self.assertIn(user.login, str(self.partner_a.comment))
            with self.assertRaises(AccessError):
                self.partner_a.with_user(user).read(["dunning_amount_due"])
        # A purchase user saves a vendor bill.
        with Form(self.bill.with_user(self.buyer)) as bill:
            bill.ref = "BILL-42"
        self.assertEqual(self.bill.ref, "BILL-42")
        # A plain internal user edits a customer but not its reminder flag.
        with self.assertRaises(AccessError):
            self.partner_a.with_user(self.internal).write({"dunning_blocked": True})
        self.assertFalse(self.partner_a.dunning_blocked)

    # ------------------------------------------------------------------
    # Billing user (Invoicing only, Community)
    # ------------------------------------------------------------------

    def test_billing_user_runs_the_lifecycle(self):
        billing_env = self.env(user=self.billing)
        wizard = Form(billing_env["account.dunning.create.wizard"])
        wizard.date = fields.Date.to_date("2026-01-12")
        wizard.save().action_create()
        reminder = billing_env["account.dunning.reminder"].search(
            [("partner_id", "=", self.partner_a.id)]
        )
        self.assertEqual(reminder.state, "draft")
        reminder.action_issue()
        self.assertEqual(reminder.state, "issued")
        self.assertEqual(reminder.amount_fee, 10.0)
        self.assertEqual(reminder.move_id.state, "posted")
        self.assertEqual(self._receivable_line(self.invoice).dunning_level_id, self.level_1)
        # The invoice says which reminder raised its level.
        self.assertIn(reminder.name, self.invoice.message_ids[0].body)
        reminder.action_send_batch()
        self.assertEqual(reminder.state, "sent")
        self.assertTrue(reminder.message_ids.filtered(lambda m: m.message_type == "comment"))
        action = reminder.action_print()
        self.assertEqual(action["type"], "ir.actions.report")
        reminder.action_cancel()
        self.assertEqual(reminder.state, "cancel")
        self.assertFalse(self._receivable_line(self.invoice).dunning_level_id)
        self.assertTrue(reminder.move_id.reversal_move_ids)
        # Terms are read, never edited, by billing users.
        self.term.with_user(self.billing).read(["name"])
        with self.assertRaises(AccessError):
            self.term.with_user(self.billing).write({"name": "Mine"})
        with self.assertRaises(AccessError):
            self.level_1.with_user(self.billing).write({"fee_amount": 0.0})

    def test_billing_user_stays_in_their_company(self):
        other_term = self._create_term(
            "Other", [("First", 1, {})], company=self.other_company
        )
        self.other_company.dunning_term_id = other_term
        reminder = self.Reminder.with_company(self.other_company).create(
            {"partner_id": self.partner_b.id, "company_id": self.other_company.id}
        )
        with self.assertRaises(AccessError):
            reminder.with_user(self.billing).action_issue()
        with self.assertRaises(AccessError):
            reminder.with_user(self.billing).action_cancel()
        self.assertEqual(
            self.Reminder.with_user(self.billing).search_count(
                [("id", "=", reminder.id)]
            ),
            0,
        )

    # ------------------------------------------------------------------
    # Auditor
    # ------------------------------------------------------------------

    def test_auditor_reads_everything_changes_nothing(self):
        self._create(as_of=fields.Date.to_date("2026-01-12"))
        reminder = self._reminders()
        reminder.action_issue()
        auditor_reminder = reminder.with_user(self.auditor)
        self.assertEqual(auditor_reminder.state, "issued")
        self.assertTrue(auditor_reminder.line_ids.move_line_id)
        self.assertEqual(self.invoice.with_user(self.auditor).dunning_reminder_count, 1)
        self.assertEqual(self.partner_a.with_user(self.auditor).dunning_max_level, 1)
        self.term.with_user(self.auditor).level_ids.read(["name", "delay_days"])
        for method in ("action_cancel", "action_send_batch", "action_mark_sent"):
            with self.assertRaises(AccessError, msg=method):
                getattr(auditor_reminder, method)()
        with self.assertRaises(AccessError):
            self.partner_a.with_user(self.auditor).write({"dunning_blocked": True})
        with self.assertRaises(AccessError):
            self.invoice.with_user(self.auditor).write({"dunning_blocked": True})
        with self.assertRaises(AccessError):
            self.term.with_user(self.auditor).write({"name": "Audited"})
        with self.assertRaises(AccessError):
            self.Reminder.with_user(self.auditor).create({"partner_id": self.partner_b.id})
        self.assertEqual(reminder.state, "issued")

    # ------------------------------------------------------------------
    # The lifecycle cannot be bypassed
    # ------------------------------------------------------------------

    def test_direct_writes_are_refused_for_every_role(self):
        self._create(as_of=fields.Date.to_date("2026-01-12"))
        reminder = self._reminders()
        item = self._receivable_line(self.invoice)
        admin = self.env.ref("base.user_admin")
        for user in (self.billing, self.accountant, admin):
            as_user = reminder.with_user(user)
            for values in (
                {"state": "sent"},
                {"amount_fee": 0.0},
                {"move_id": False},
                {"issue_date": "2026-01-12"},
            ):
                with self.assertRaises(UserError, msg=f"{user.login} {values}"):
                    as_user.write(values)
            with self.assertRaises(UserError):
                item.with_user(user).write({"dunning_level_number": 0})
            with self.assertRaises(UserError):
                item.with_user(user).write({"dunning_count": 0, "dunning_level_id": False})
            with self.assertRaises(UserError):
                as_user.line_ids[:1].write({"amount_residual": 1.0})
        with self.assertRaises(UserError):
            self.Reminder.with_user(self.billing).create(
                {"partner_id": self.partner_b.id, "state": "sent"}
            )
        reminder.with_user(self.billing).action_issue()
        self.assertEqual(item.dunning_level_number, 1)
        for user in (self.billing, admin):
            as_user = reminder.with_user(user)
            with self.assertRaises(UserError):
                as_user.write({"state": "cancel"})
            with self.assertRaises(UserError):
                as_user.line_ids.unlink()
            with self.assertRaises(UserError):
                as_user.line_ids[:1].write({"line_type": "credit"})
            with self.assertRaises(UserError):
                as_user.write({"date": "2026-02-01"})
            with self.assertRaises(UserError):
                as_user.write({"line_ids": [Command.clear()]})
        # Through its actions it moves on, with the fees entry reversed.
        reminder.with_user(self.billing).action_cancel()
        self.assertEqual(item.dunning_level_number, 0)
        self.assertTrue(reminder.move_id.reversal_move_ids)
        self.assertTrue(
            reminder.move_id.line_ids.filtered(
                lambda l: l.account_type == "asset_receivable"
            ).reconciled
        )

    def test_customer_of_a_reminder_is_fixed_once_it_has_lines(self):
        self._create(as_of=fields.Date.to_date("2026-01-12"))
        reminder = self._reminders().with_user(self.billing)
        with self.assertRaises(UserError):
            reminder.write({"partner_id": self.partner_b.id})
        empty = self.Reminder.with_user(self.billing).create({"partner_id": self.partner_b.id})
        empty.write({"partner_id": self.partner_a.id})
        self.assertEqual(empty.partner_id, self.partner_a)

    def test_reminder_flags_are_tracked_and_kept_for_reminder_users(self):
        # The invoicing test case disables tracking: this test is about it.
        # Records created in this transaction are not tracked until it is
        # committed: run the commit hooks first, as a commit would.
        tracking = {"tracking_disable": False, "mail_notrack": False}
        self.env.cr.precommit.run()
        self.partner_a.with_user(self.billing).with_context(**tracking).write(
            {"dunning_blocked": True}
        )
        self.assertTrue(self.partner_a.dunning_blocked)
        self.env.cr.precommit.run()  # tracking values are written at commit
        self.env.invalidate_all()
        tracked = self.partner_a.sudo().message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "dunning_blocked"
        )
        self.assertTrue(tracked)
        self.invoice.with_user(self.billing).with_context(**tracking).write(
            {"dunning_blocked": True, "dunning_block_reason": "Dispute"}
        )
        self.env.cr.precommit.run()
        self.env.invalidate_all()
        self.assertTrue(
            self.invoice.sudo().message_ids.tracking_value_ids.filtered(
                lambda t: t.field_id.name == "dunning_blocked"
            )
        )

    # ------------------------------------------------------------------
    # Reminder rules maintained by accountants
    # ------------------------------------------------------------------

    def test_accountant_creates_a_rule_without_code(self):
        strict = self._create_term("Strict", [("Formal notice", 1, {})])
        accountant_env = self.env(user=self.accountant)
        self.assertFalse(self.accountant.has_group("base.group_system"))
        rule_form = Form(accountant_env["account.dunning.rule"])
        rule_form.name = "Invoices over 50,000 get the Strict terms"
        rule_form.model_name = "account.move"
        rule_form.trigger = "on_create_or_write"
        rule_form.filter_domain = (
            "[('move_type', '=', 'out_invoice'), ('amount_total', '>', 50000)]"
        )
        with rule_form.action_ids.new() as action:
            action.action_type = "assign_term"
            action.term_id = strict
        with rule_form.action_ids.new() as action:
            action.action_type = "add_tag"
            action.tag_id = self.env["res.partner.category"].create({"name": "Big account"})
        rule = rule_form.save()
        automation = rule.sudo().automation_id
        self.assertTrue(automation)
        self.assertEqual(len(automation.action_server_ids), 2)
        self.assertEqual(
            set(automation.action_server_ids.mapped("state")), {"dunning_rule_action"}
        )
        # No field of the rule screen holds code, and the Odoo objects
        # behind it stay out of reach.
        for model in ("account.dunning.rule", "account.dunning.rule.action"):
            types = {
                desc["type"] for desc in accountant_env[model].fields_get().values()
            }
            self.assertFalse({"text", "html"} & types, model)
            self.assertNotIn("code", accountant_env[model].fields_get())
        with self.assertRaises(AccessError):
            accountant_env["ir.actions.server"].create(
                {
                    "name": "Code",
                    "model_id": self.env["ir.model"]._get_id("account.move"),
                    "state": "code",
                    "code": "env.cr.execute('select 1')",
                }
            )
        with self.assertRaises(AccessError):
            automation.with_user(self.accountant).write({"filter_domain": "[]"})
        # Fires on creation, even when a salesman-like user creates the
        # invoice (the rule works as superuser, only what it describes).
        big = self._invoice("2026-01-10", amount=60000.0)
        self.assertEqual(big.dunning_term_id, strict)
        self.assertIn("Big account", self.partner_a.category_id.mapped("name"))
        small = self._invoice("2026-01-10", amount=1000.0)
        self.assertFalse(small.dunning_term_id)
        # ... and on a later update, by a billing user who may not set the
        # terms of an invoice by hand (the rule does it for them).
        small.button_draft()
        with Form(small.with_user(self.billing)) as form:
            with form.invoice_line_ids.edit(0) as line:
                line.price_unit = 70000.0
        self.assertEqual(small.dunning_term_id, strict)
        # Editing the rule keeps the automation in sync; deleting removes it.
        rule.with_user(self.accountant).write({"active": False})
        self.assertFalse(automation.active)
        rule.with_user(self.accountant).unlink()
        self.assertFalse(automation.exists())

    def test_rule_actions_set_and_copy_values(self):
        rule = self.env["account.dunning.rule"].with_user(self.accountant).create(
            {
                "name": "Belgian customers",
                "model_name": "res.partner",
                "trigger": "on_field_change",
                "trigger_field_ids": [
                    Command.set([self.env.ref("base.field_res_partner__country_id").id])
                ],
                "filter_domain": "[('country_id.code', '=', 'BE')]",
                "action_ids": [
                    Command.create(
                        {
                            "action_type": "set_value",
                            "field_id": self.env.ref("base.field_res_partner__comment").id,
                            "value": "Belgian customer",
                        }
                    ),
                    Command.create(
                        {
                            "action_type": "copy_field",
                            "source_field_id": self.env.ref("base.field_res_partner__vat").id,
                            "field_id": self.env.ref("base.field_res_partner__ref").id,
                        }
                    ),
                    Command.create(
                        {"action_type": "assign_manager", "user_id": self.billing.id}
                    ),
                ],
            }
        )
        customer = self.env["res.partner"].create(
            {"name": "Belgian", "is_company": True, "vat": "BE0477472701"}
        )
        customer.write({"phone": "+32 2 000 00 00"})
        self.assertFalse(customer.ref)  # not a watched field
        customer.with_user(self.internal).write({"country_id": self.env.ref("base.be").id})
        self.assertEqual(customer.ref, "BE0477472701")
        self.assertIn("Belgian customer", str(customer.comment))
        self.assertEqual(customer.dunning_responsible_id, self.billing)
        # Values of the wrong type are refused when the rule is saved.
        with self.assertRaises(ValidationError):
            rule.action_ids[0].write(
                {
                    "field_id": self.env.ref("base.field_res_partner__color").id,
                    "value": "a lot",
                }
            )
        with self.assertRaises(AccessError):
            rule.with_user(self.billing).write({"name": "Mine"})
