# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningRules(DunningCommon):
    """Reminder rules are base_automation rules with our action types."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vip = cls._create_term("VIP", [("Call", 10, {})])
        cls.manager = new_test_user(
            cls.env, login="collector", groups="account.group_account_user"
        )
        cls.belgium = cls.env.ref("base.be")

    def _rule(self, model, domain, actions):
        model_rec = self.env["ir.model"]._get(model)
        return self.env["base.automation"].create(
            {
                "name": "Rule",
                "model_id": model_rec.id,
                "trigger": "on_create_or_write",
                "filter_domain": domain,
                "action_server_ids": [
                    Command.create({"name": f"Action {i}", "model_id": model_rec.id, **vals})
                    for i, vals in enumerate(actions)
                ],
            }
        )

    def test_customer_rule_chains_actions(self):
        rule = self._rule(
            "res.partner",
            "[('country_id.code', '=', 'BE'), ('is_company', '=', True)]",
            [
                {"state": "dunning_term", "dunning_term_id": self.vip.id},
                {"state": "dunning_manager", "dunning_user_id": self.manager.id},
                {  # set a fixed value
                    "state": "object_write",
                    "update_path": "comment",
                    "evaluation_type": "value",
                    "value": "Belgian customer",
                },
                {  # copy a field
                    "state": "object_write",
                    "update_path": "ref",
                    "evaluation_type": "equation",
                    "value": "record.vat",
                },
            ],
        )
        # Rule actions are named after what they assign when edited.
        assign_term, assign_manager = rule.action_server_ids.sorted("id")[:2]
        assign_term.dunning_term_id = self.term
        assign_manager.dunning_user_id = self.env.user
        self.assertEqual(assign_term.name, "Assign reminder terms: Standard")
        self.assertIn(self.env.user.name, assign_manager.name)
        assign_term.dunning_term_id = self.vip
        assign_manager.dunning_user_id = self.manager
        other = self.env["res.partner"].create({"name": "French", "is_company": True})
        customer = self.env["res.partner"].create(
            {"name": "Belgian", "is_company": True, "vat": "BE0477472701"}
        )
        self.assertFalse(customer.dunning_term_id)
        # The rule runs on update too.
        customer.country_id = self.belgium
        self.assertEqual(customer.dunning_term_id, self.vip)
        self.assertEqual(customer.dunning_responsible_id, self.manager)
        self.assertIn("Belgian customer", str(customer.comment))
        self.assertEqual(customer.ref, "BE0477472701")
        self.assertFalse(other.dunning_term_id)
        self.assertFalse(other.dunning_responsible_id)

        # The account manager follows on the reminders of the customer.
        self._invoice("2026-01-05", partner=customer)
        with freeze_time("2026-01-20"):
            reminder = self._create(customer)
        self.assertEqual(reminder.responsible_id, self.manager)
        self.assertEqual(
            self.Reminder.search([("responsible_id", "=", self.manager.id)]), reminder
        )

    def test_invoice_rule_overrides_terms(self):
        self._rule(
            "account.move",
            "[('move_type', '=', 'out_invoice'), ('amount_total', '>=', 10000)]",
            [
                {"state": "dunning_term", "dunning_term_id": self.vip.id},
                {"state": "dunning_manager", "dunning_user_id": self.manager.id},
            ],
        )
        small = self._invoice("2026-01-05", 500.0)
        big = self._invoice("2026-01-05", 20000.0, partner=self.partner_b)
        self.assertFalse(small.dunning_term_id)
        self.assertEqual(big.dunning_term_id, self.vip)
        self.assertEqual(self.partner_b.dunning_responsible_id, self.manager)
        self.assertFalse(self.partner_a.dunning_responsible_id)
        # The override decides the level: VIP waits 10 days, Standard 1 day.
        with freeze_time("2026-01-11"):
            self.assertEqual(self._create().mapped("partner_id"), self.partner_a)

    def test_wrong_rule_actions_refused(self):
        with self.assertRaisesRegex(ValidationError, "choose the reminder terms"):
            self._rule("res.partner", "[]", [{"state": "dunning_term"}])
        with self.assertRaisesRegex(ValidationError, "choose the account manager"):
            self._rule("account.move", "[]", [{"state": "dunning_manager"}])
        with self.assertRaisesRegex(ValidationError, "only be assigned by rules on"):
            self._rule(
                "res.users", "[]", [{"state": "dunning_term", "dunning_term_id": self.vip.id}]
            )
