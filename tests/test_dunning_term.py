# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningTerm(DunningCommon):
    def test_levels_numbered_in_sequence_order(self):
        self.assertEqual(
            self.term.level_ids.sorted("number").mapped("delay_days"), [1, 7, 14, 30]
        )
        self.assertEqual(self.level_3.number, 3)
        self.assertEqual(self.term.level_count, 4)

    def test_form_creates_terms_with_levels(self):
        with Form(self.env["account.dunning.term"]) as term_form:
            term_form.name = "Strict"
            term_form.max_reminders = 3
            with term_form.level_ids.new() as level:
                level.name = "First"
                level.delay_days = 3
            with term_form.level_ids.new() as level:
                level.name = "Second"
                level.delay_days = 10
        term = term_form.record
        self.assertEqual(term.company_id, self.env.company)
        self.assertEqual(term.level_ids.mapped("number"), [1, 2])

    def test_delays_not_increasing_refused(self):
        with self.assertRaisesRegex(ValidationError, "strictly increasing"):
            self._create_term("Bad", [("First", 10, {}), ("Second", 5, {})])
        with self.assertRaisesRegex(ValidationError, "strictly increasing"):
            self._create_term("Equal", [("First", 7, {}), ("Second", 7, {})])

    def test_changing_a_level_delay_is_checked(self):
        with self.assertRaisesRegex(ValidationError, "strictly increasing"):
            self.level_2.delay_days = 20  # after level 3 (14 days)
        with self.assertRaisesRegex(ValidationError, "strictly increasing"):
            self.term.write(
                {"level_ids": [Command.create({"name": "Late", "sequence": 99, "delay_days": 2})]}
            )

    def test_negative_values_refused(self):
        # a negative delay is a courtesy notice before the due date (issue 9)
        notice = self._create_term("Notice", [("Before", -5, {}), ("After", 1, {})])
        self.assertTrue(notice.level_ids.sorted("number")[0].is_pre_due)
        for field_name in ("grace_days", "min_amount", "fee_amount",
                           "interest_rate", "payment_delay_days"):
            with self.subTest(field=field_name), self.assertRaisesRegex(
                ValidationError, "cannot be negative"
            ):
                self._create_term("Negative", [("First", 1, {field_name: -5})])
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self._create_term("Negative max", [("First", 1, {})], max_reminders=-1)

    def test_partner_terms_are_company_dependent(self):
        other_company = self.setup_other_company()["company"]
        self.partner_a.dunning_term_id = self.term
        self.assertEqual(self.partner_a._get_dunning_term(), self.term)
        partner_other = self.partner_a.with_company(other_company)
        self.assertFalse(partner_other.dunning_term_id)
        with self.assertRaisesRegex(ValidationError, "belong to"):
            partner_other.dunning_term_id = self.term

    def test_company_default_terms_apply(self):
        self.assertFalse(self.partner_b.dunning_term_id)
        self.assertEqual(self.partner_b._get_dunning_term(), self.term)
        self.assertEqual(self.partner_b.dunning_effective_term_id, self.term)
        vip = self._create_term("VIP", [("Only", 20, {})])
        self.partner_b.dunning_term_id = vip
        self.assertEqual(self.partner_b._get_dunning_term(), vip)
        self.assertEqual(self.partner_b.dunning_effective_term_id, vip)
        contact = self.env["res.partner"].create(
            {"name": "Contact", "parent_id": self.partner_b.id}
        )
        self.assertEqual(contact.dunning_effective_term_id, vip)

    def test_billing_user_reads_but_cannot_manage(self):
        billing = new_test_user(
            self.env, login="dunning_billing", groups="account.group_account_invoice"
        )
        terms = self.env["account.dunning.term"].with_user(billing)
        self.assertEqual(terms.search([("id", "=", self.term.id)]), self.term)
        with self.assertRaises(AccessError):
            terms.create({"name": "Mine"})
        with self.assertRaises(AccessError):
            self.term.with_user(billing).write({"name": "Renamed"})
        manager = new_test_user(
            self.env, login="dunning_manager", groups="account.group_account_manager"
        )
        self.term.with_user(manager).write({"name": "Renamed"})
        self.assertEqual(self.term.name, "Renamed")
