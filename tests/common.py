# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class DunningCommon(AccountTestInvoicingCommon):
    """Terms J+1 / J+7 / J+14 / J+30 as company default, customers A and B."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.term = cls._create_term(
            "Standard",
            [
                ("Information", 1, {}),
                ("Reminder", 7, {}),
                ("Firm reminder", 14, {}),
                ("Formal notice", 30, {}),
            ],
        )
        cls.level_1, cls.level_2, cls.level_3, cls.level_4 = cls.term.level_ids.sorted(
            "number"
        )
        cls.env.company.dunning_term_id = cls.term
        cls.partner_a.write({"is_company": True, "email": "partner_a@example.com"})
        cls.partner_b.write({"is_company": True, "email": "partner_b@example.com"})
        cls.Reminder = cls.env["account.dunning.reminder"]

    @classmethod
    def _create_term(cls, name, levels, company=None, **values):
        # Tests of the levels themselves run without the contact policy (a
        # reminder whenever an item reaches a level); the policy's own tests
        # set it explicitly.
        values.setdefault("min_contact_days", 0)
        values.setdefault("max_contacts_before_last", 0)
        return cls.env["account.dunning.term"].create(
            {
                "name": name,
                "company_id": (company or cls.env.company).id,
                "level_ids": [
                    Command.create(
                        {
                            "name": level_name,
                            "sequence": index,
                            "delay_days": delay,
                            **extra,
                        }
                    )
                    for index, (level_name, delay, extra) in enumerate(levels, 1)
                ],
                **values,
            }
        )

    @classmethod
    def _invoice(cls, due_date, amount=1000.0, partner=None, **kwargs):
        """Posted customer invoice due on ``due_date`` (immediate payment)."""
        invoice = cls.init_invoice(
            "out_invoice",
            partner=partner or cls.partner_a,
            invoice_date=fields.Date.to_date(due_date),
            amounts=[amount],
            taxes=[],
            **kwargs,
        )
        invoice.invoice_payment_term_id = cls.pay_terms_a  # due on invoice date
        invoice.action_post()
        return invoice

    @classmethod
    def _receivable_line(cls, invoice):
        return invoice.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )

    def _pay(self, invoice, amount=None, date=None):
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "payment_date": fields.Date.to_date(date or invoice.invoice_date),
                    **({"amount": amount} if amount else {}),
                }
            )
        )
        return wizard._create_payments()

    def _daily_automation(self, start):
        """A daily create + issue + send automation, started on ``start``."""
        automation = self.env["account.dunning.automation"].create(
            {
                "name": "Daily",
                "cadence": "custom",
                "cadence_formula": "1D",
                "action_ids": [
                    Command.create({"action_type": kind, "sequence": index})
                    for index, kind in enumerate(("create", "issue", "send"), 1)
                ],
            }
        )
        with freeze_time(start):
            automation.action_start()
        return automation

    def _run_days(self, start, days, context=None):
        """Run the automations' cron entry point day by day from ``start``,
        then the mail queue, as their crons would."""
        for offset in range(days):
            with freeze_time(start + timedelta(days=offset)):
                self.env["account.dunning.automation"].with_context(
                    **(context or {})
                )._cron_run_due()
                self.env["mail.mail"].process_email_queue()

    def _create(self, partners=None, **kwargs):
        return self.Reminder._create_reminders(partners=partners, **kwargs)

    def _reminders(self, partner=None, states=("draft", "issued", "sent")):
        return self.Reminder.search(
            [
                ("partner_id", "=", (partner or self.partner_a).id),
                ("state", "in", list(states)),
            ]
        )
