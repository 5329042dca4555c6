# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from contextlib import nullcontext
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .test_dunning_send import SendCommon

SEND_LOGGER = "odoo.addons.account_dunning_automation.wizard.account_dunning_send"
MESSAGE_FIELDS = (
    "model",
    "res_id",
    "message_type",
    "subtype_id",
    "author_id",
    "author_guest_id",
    "email_from",
    "reply_to",
    "reply_to_force_new",
    "subject",
    "body",
    "partner_ids",
    "record_name",
    "record_alias_domain_id",
    "record_company_id",
    "email_add_signature",
    "email_layout_xmlid",
    "is_internal",
    "parent_id",
    "mail_server_id",
    "mail_activity_type_id",
    "tracking_value_ids",
)
MAIL_FIELDS = (
    "subject",
    "body_html",
    "email_to",
    "email_cc",
    "recipient_ids",
    "headers",
    "state",
    "auto_delete",
    "is_notification",
    "scheduled_date",
    "mail_server_id",
    "failure_type",
)


@tagged("post_install", "-at_install")
class TestDunningSendBulk(SendCommon):
    """The queued emails of an automation's batch are posted set-based
    (account.dunning.mail.batch._dunning_post_emails) with exactly the result
    of Odoo's composer posting them one message_post at a time (issue 23)."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["mail", "account", "account_dunning_automation"], ["fr_FR"], overwrite=True
        )
        cls.env.company.partner_id.lang = "fr_FR"
        cls.partner_a.write({"lang": "fr_FR", "name": "Client Français"})
        cls.partner_b.write({"lang": "en_US", "name": "English Customer"})
        cls.level_1.with_context(lang="fr_FR").name = "Relance amicale"
        # The letter and the overdue invoices attached to every email.
        cls.level_1.write({"attach_letter": True, "attach_invoices": "overdue"})
        cls.partner_c = cls.env["res.partner"].create(
            {
                "name": "Attached Customer",
                "is_company": True,
                "lang": "en_US",
                # Its emails go to its invoicing contact.
                "child_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Accounts Payable",
                            "type": "invoice",
                            "email": "ap@attached.example.com",
                        },
                    )
                ],
            }
        )
        cls.customers = cls.partner_a | cls.partner_b | cls.partner_c
        # Internal followers of the reminders, as a collector or a manager
        # following a customer would be: one reads the inbox, one gets emails.
        common = {"company_id": cls.env.company.id, "company_ids": [cls.env.company.id]}
        cls.inbox_user = new_test_user(
            cls.env,
            login="bulk_inbox",
            groups="account.group_account_invoice",
            notification_type="inbox",
            **common,
        )
        cls.email_user = new_test_user(
            cls.env,
            login="bulk_email",
            email="bulk.email@example.com",
            groups="account.group_account_invoice",
            notification_type="email",
            **common,
        )

    def _issue(self, partners, due="2026-01-10"):
        for partner in partners:
            self._invoice(due, partner=partner)
        reminders = self._drafts(partners=partners)
        with freeze_time("2026-01-11"):
            reminders.action_issue()
        return reminders

    def _send(self, reminders, bulk=True):
        """The automation's send step on ``reminders`` (emails queued), by the
        bulk path or by Odoo's composer (message_post per reminder)."""
        batch_model = type(self.env["account.dunning.mail.batch"])
        with (
            patch.object(batch_model, "_dunning_can_post_in_bulk", lambda *args: False)
            if not bulk
            else nullcontext()
        ), freeze_time("2026-01-11"):
            result = self.env["account.dunning.send"]._send_reminders(
                reminders, queue_emails=True
            )
        self.env.flush_all()
        return result

    @staticmethod
    def _value(value):
        if hasattr(value, "_name"):
            return tuple(sorted(value.ids))
        return value

    def _snapshot(self, reminders):
        """What the send left, per reminder, without database ids of the new
        records: the email message, its attachments, its outgoing emails and
        notifications, the other messages posted, the reminder's state."""
        result = {}
        for reminder in reminders.sudo():
            message = reminder.email_message_id
            self.assertTrue(message, reminder.name)
            mails = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
            notifications = (
                self.env["mail.notification"].sudo().search([("mail_message_id", "=", message.id)])
            )
            result[reminder.partner_id.name] = {
                "message": {field: self._value(message[field]) for field in MESSAGE_FIELDS},
                "attachments": sorted(
                    (a.name, a.mimetype, a.res_model, a.res_id == reminder.id, a.checksum)
                    if a.res_model == reminder._name
                    # an invoice's own PDF, shared by its reminders
                    else (a.name, a.mimetype, a.res_model, a.res_id, a.checksum)
                    for a in message.attachment_ids
                ),
                "mails": sorted(
                    (
                        tuple((field, self._value(mail[field])) for field in MAIL_FIELDS)
                        + (
                            ("references", mail.references == message.message_id),
                            ("mail_message_id", mail.mail_message_id == message),
                            ("model", mail.model),
                            ("res_id", mail.res_id),
                            ("email_from", mail.email_from),
                            ("reply_to", mail.reply_to),
                            ("attachment_ids", mail.attachment_ids == message.attachment_ids),
                        )
                        for mail in mails
                    ),
                    key=repr,
                ),
                "notifications": sorted(
                    (
                        n.res_partner_id.id,
                        n.notification_type,
                        n.notification_status,
                        n.is_read,
                        n.author_id.id,
                        n.mail_mail_id.recipient_ids.ids,
                        n.failure_type,
                    )
                    for n in notifications
                ),
                "chatter": sorted(
                    (m.message_type, m.subtype_id.id, m.body, m.partner_ids.ids)
                    for m in reminder.message_ids - message
                ),
                "followers": sorted(reminder.message_partner_ids.ids),
                "reminder": (reminder.state, reminder.send_state, reminder.send_error),
            }
        return result

    def test_bulk_posting_gives_what_message_post_gives(self):
        reminders = self._issue(self.customers)
        self.assertEqual(len(reminders), 3)
        by_partner = {r.partner_id: r for r in reminders}
        by_partner[self.partner_a].message_subscribe(partner_ids=self.inbox_user.partner_id.ids)
        by_partner[self.partner_b].message_subscribe(partner_ids=self.email_user.partner_id.ids)
        # One invoice's PDF is already kept (sent before): it is attached as it is.
        kept = by_partner[self.partner_b].line_ids.move_id
        kept._dunning_store_invoice_pdfs()
        self.assertTrue(kept.invoice_pdf_report_id)
        # The pay-online links' tokens exist before (else each run draws its own).
        reminders.line_ids.move_id.sudo()._dunning_ensure_access_tokens()
        self.env.flush_all()
        posted = []
        batch_model = type(self.env["account.dunning.mail.batch"])
        bulk_post = batch_model._dunning_post_emails

        def spy(batch_self, composer, res_ids):
            posted.append(sorted(res_ids))
            return bulk_post(batch_self, composer, res_ids)

        with self.env.cr.savepoint() as savepoint:
            with patch.object(batch_model, "_dunning_post_emails", spy):
                result = self._send(reminders, bulk=False)
            self.assertEqual(result["sent"], reminders)
            self.assertEqual(posted, [])  # Odoo's composer, message_post per reminder
            expected = self._snapshot(reminders)
            savepoint.rollback()
        self.env.invalidate_all()
        self.assertFalse(reminders.email_message_id)
        with patch.object(batch_model, "_dunning_post_emails", spy):
            result = self._send(reminders)
        self.assertEqual(result["sent"], reminders)
        self.assertEqual(posted, [sorted(reminders.ids)])  # the bulk path, once for the three
        got = self._snapshot(reminders)
        self.assertEqual(set(got), set(expected))
        for name, parts in expected.items():
            for part, value in parts.items():
                self.assertEqual(got[name][part], value, f"{name}: {part}")
        # What the comparison covered: each customer in their language, the
        # layout, the attachments, the followers' notifications.
        french = got["Client Français"]
        english = got["English Customer"]
        attached = got["Attached Customer"]
        self.assertIn("Relance amicale", french["message"]["subject"])
        self.assertIn("Selon nos registres", french["message"]["body"])
        self.assertIn("According to our records", english["message"]["body"])
        self.assertEqual(
            attached["message"]["partner_ids"], tuple(self.partner_c.child_ids.ids)
        )
        customer_mail = dict(
            next(m for m in french["mails"] if dict(m)["recipient_ids"] == (self.partner_a.id,))
        )
        self.assertIn("Selon nos registres", customer_mail["body_html"])
        # Odoo's notification layout around the body, in French.
        self.assertTrue(customer_mail["body_html"].startswith('\n<html lang="fr_FR">'))
        self.assertEqual(customer_mail["state"], "outgoing")
        self.assertIn("X-Odoo-Objects", customer_mail["headers"])
        self.assertTrue(customer_mail["references"])
        for snapshot in (french, english, attached):
            names = [a[0] for a in snapshot["attachments"]]
            self.assertEqual(len(names), 2, names)  # the letter and the invoice
            self.assertEqual(snapshot["reminder"], ("issued", "queued", False))
        # The inbox follower: an inbox notification, no email; the email
        # follower: an email of its own (the internal users' layout).
        inbox = [n for n in french["notifications"] if n[0] == self.inbox_user.partner_id.id]
        self.assertEqual([n[1] for n in inbox], ["inbox"])
        follower = [n for n in english["notifications"] if n[0] == self.email_user.partner_id.id]
        self.assertEqual([n[1:3] for n in follower], [("email", "ready")])
        self.assertEqual(len(english["mails"]), 2)
        # The queue sends them; each reminder follows its email.
        self.env["mail.mail"].sudo().process_email_queue()
        self.env.invalidate_all()
        self.assertEqual(set(reminders.mapped("send_state")), {"delivered"})
        self.assertEqual(set(reminders.mapped("state")), {"sent"})

    def _queued_email_queries(self, reminders):
        """Queries of posting the queued emails of ``reminders`` (the checks
        and other channels of each reminder done before, as the send does)."""
        send = self.env["account.dunning.send"]
        with freeze_time("2026-01-11"):
            # as _send_reminders prepares a batch
            to_send = reminders.with_context(dunning_pdf_cache=send._prerender_pdfs(reminders))
            to_send.line_ids.move_id.sudo()._dunning_ensure_access_tokens()
            queue = []
            done, errors = send._send_each(to_send, queue)
            self.assertEqual((done, errors), (to_send, []))
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            send.with_env(to_send.env)._send_queued_emails(queue)
            self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def test_bulk_posting_queries_do_not_grow_with_the_batch(self):
        self.level_1.write({"attach_letter": False, "attach_invoices": "none"})
        customers = self.env["res.partner"].create(
            [
                {
                    "name": f"Bulk customer {i}",
                    "is_company": True,
                    "email": f"bulk{i}@example.com",
                    "lang": "fr_FR" if i % 2 else "en_US",
                }
                for i in range(14)
            ]
        )
        reminders = self._issue(customers)
        by_partner = {r.partner_id: r for r in reminders}
        warmup, three, nine = (
            self.Reminder.browse(by_partner[c].id for c in customers[i:j])
            for i, j in ((0, 2), (2, 5), (5, 14))
        )
        self._queued_email_queries(warmup)  # caches (template, layout, models)
        queries_3 = self._queued_email_queries(three)
        queries_9 = self._queued_email_queries(nine)
        for reminder in three | nine:
            self.assertEqual(reminder.send_state, "queued")
            self.assertEqual(
                len(self.env["mail.mail"].sudo().search(
                    [("mail_message_id", "=", reminder.email_message_id.id)]
                )),
                1,
            )
        # 6 more emails, no more queries (a few of margin for the caches).
        self.assertLessEqual(queries_9 - queries_3, 3, (queries_3, queries_9))
        self.assertLess(queries_9, 60, queries_9)

    @mute_logger(SEND_LOGGER)
    def test_failing_bulk_posting_falls_back_to_one_by_one(self):
        reminders = self._issue(self.customers)
        batch_model = type(self.env["account.dunning.mail.batch"])
        notify = batch_model._dunning_notify_messages
        calls = []

        def failing(batch_self, *args, **kwargs):
            # the messages and their emails created, then a failure
            calls.append(notify(batch_self, *args, **kwargs))
            raise ValueError("bulk posting failed")

        with patch.object(batch_model, "_dunning_notify_messages", failing):
            result = self._send(reminders)
        self.assertEqual(len(calls), 1)
        self.assertEqual(len(calls[0]), 3)  # three emails were created, then rolled back
        self.assertFalse(calls[0].exists())
        self.assertEqual(result["sent"], reminders)
        self.assertEqual(result["errors"], [])
        for reminder in reminders:
            recipients = reminder.recipient_ids
            emails = reminder.message_ids.filtered(
                lambda m, recipients=recipients: m.message_type == "comment"
                and m.partner_ids & recipients
            )
            self.assertEqual(len(emails), 1, reminder.partner_id.name)
            self.assertEqual(emails, reminder.email_message_id)
            mails = self.env["mail.mail"].sudo().search(
                [("mail_message_id", "in", reminder.message_ids.ids)]
            )
            self.assertEqual(len(mails), 1, reminder.partner_id.name)
            self.assertEqual(mails.recipient_ids, reminder.recipient_ids)
        # Nothing queued twice: the queue sends each email once.
        self.env["mail.mail"].sudo().process_email_queue()
        self.env.invalidate_all()
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        self.assertEqual(reminders.mapped("send_count"), [1, 1, 1])
