# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from lxml import etree

from odoo import Command
from odoo.tests import new_test_user, tagged
from odoo.tools.misc import file_path

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningRuleOrder(DunningCommon):
    """Reminder rules run in the order of their list, shown with its
    sequence; the demo rule is a reminder rule the accounting manager sees
    (issue 21)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.strict = cls._create_term("Strict", [("Call", 3, {})])
        cls.vip = cls._create_term("VIP", [("Call", 10, {})])
        cls.accountant = new_test_user(
            cls.env, login="order_accountant", groups="account.group_account_manager"
        )

    def _rule(self, name, sequence, term):
        return (
            self.env["account.dunning.rule"]
            .with_user(self.accountant)
            .create(
                {
                    "name": name,
                    "sequence": sequence,
                    "model_name": "account.move",
                    "trigger": "on_create_or_write",
                    "filter_domain": "[('move_type', '=', 'out_invoice')]",
                    "action_ids": [
                        Command.create({"action_type": "assign_term", "term_id": term.id})
                    ],
                }
            )
        )

    def test_the_later_rule_in_the_list_wins(self):
        # Created first but placed last in the list: it runs last and wins.
        last = self._rule("Large invoices: VIP", 20, self.vip)
        first = self._rule("All invoices: strict", 10, self.strict)
        self.assertEqual(
            self.env["account.dunning.rule"].with_user(self.accountant).search([]).ids[-2:],
            [first.id, last.id],
        )
        invoice = self._invoice("2026-01-10")
        self.assertEqual(invoice.dunning_term_id, self.vip)
        # Reordered (the handle of the list writes the sequences): the other
        # one wins from now on.
        last.with_user(self.accountant).sequence = 5
        invoice = self._invoice("2026-01-11")
        self.assertEqual(invoice.dunning_term_id, self.strict)

    def test_list_shows_the_order(self):
        arch = self.env["account.dunning.rule"].with_user(self.accountant).get_views(
            [(False, "list")]
        )["views"]["list"]["arch"]
        sequences = etree.fromstring(arch).xpath("//field[@name='sequence']")
        self.assertEqual(
            {node.get("widget") for node in sequences}, {"handle", None}, arch
        )

    def test_demo_rule_is_a_reminder_rule(self):
        demo = etree.parse(file_path("account_dunning_automation/demo/account_dunning_demo.xml"))
        self.assertFalse(demo.xpath("//record[@model='base.automation']"))
        rules = demo.xpath("//record[@model='account.dunning.rule']")
        self.assertTrue(rules)
        # The accounting manager may read reminder rules of the company.
        self.assertTrue(
            self.env["account.dunning.rule"].with_user(self.accountant).has_access("read")
        )
