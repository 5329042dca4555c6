# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging

from odoo import fields, models, tools
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

LETTER_REPORT = "account_dunning_automation.action_report_dunning_reminder"


class AccountDunningReminder(models.Model):
    """Sending of reminders: email with the level's template and the invoices,
    letter in PDF, SMS, phone call activity.

    Sent means delivered: the reminder follows the delivery of its email (the
    mail server may fail after the transaction, when the queue is processed)
    and only becomes "Sent" once the email reached the mail server; a failed
    email shows on the reminder and in the run log, and is retried (the same
    email, never a second one) by the next send action."""

    _inherit = "account.dunning.reminder"

    send_state = fields.Selection(
        [
            ("queued", "Email Queued"),
            ("delivered", "Email Delivered"),
            ("failed", "Send Failed"),
        ],
        string="Email Status",
        readonly=True,
        copy=False,
        tracking=True,
        index="btree_not_null",
    )
    send_error = fields.Char(
        string="Send Failure Reason", readonly=True, copy=False
    )
    email_message_id = fields.Many2one(
        "mail.message",
        string="Reminder Email",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    send_run_id = fields.Many2one(
        "account.dunning.automation.run",
        string="Sent by Run",
        readonly=True,
        copy=False,
        ondelete="set null",
    )

    # ------------------------------------------------------------------
    # Send
    # ------------------------------------------------------------------

    def _check_can_send(self):
        self._check_dunning_access()
        for reminder in self:
            if reminder.state not in ("issued", "sent"):
                raise UserError(
                    self.env._(
                        "Reminder %(name)s must be issued before it is sent.",
                        name=reminder.name,
                    )
                )
            # Holds set after the issue are honoured: nothing is sent to a
            # customer marked "No Reminders", nor about a disputed invoice.
            reminder._check_partner_remindable()
            on_hold = reminder.line_ids.filtered(
                lambda l: l.line_type != "blocked" and l.move_id.dunning_blocked
            )
            if on_hold:
                raise UserError(
                    self.env._(
                        "Reminder %(name)s is not sent: %(invoices)s were put on hold "
                        "(\"No Reminders\") after it was issued. Cancel it and "
                        "create a new one.",
                        name=reminder.name,
                        invoices=", ".join(on_hold.move_id.mapped("name")),
                    )
                )

    def _check_not_reviewed(self):
        """A level reviewed by a person is sent only from the sending dialog,
        which shows the email, the recipients and every attachment before
        they go (the dialog does not call this check; no context key lifts
        it, as a caller could set one over RPC)."""
        for reminder in self:
            if reminder.level_id.manual_review:
                raise UserError(
                    self.env._(
                        "Reminder %(name)s is not sent: its level %(level)s is "
                        "reviewed by a person. Open it, issue it and use its "
                        "\"Send\" button: the sending dialog shows the email and "
                        "the letter before they go.",
                        name=reminder.name,
                        level=reminder.level_id.display_name,
                    )
                )

    def _check_email_recipients(self):
        """Refuse to email a customer without a valid address: an error before
        sending, never a silent "sent"."""
        self.ensure_one()
        if not self.partner_id.active:
            raise UserError(
                self.env._(
                    "Reminder %(name)s cannot be emailed: %(partner)s is archived.",
                    name=self.name,
                    partner=self.partner_id.display_name,
                )
            )
        for recipient in self.recipient_ids:
            if not recipient.email:
                raise UserError(
                    self.env._(
                        "Reminder %(name)s cannot be emailed: %(partner)s has no "
                        "email address.",
                        name=self.name,
                        partner=recipient.display_name,
                    )
                )
            if not tools.email_normalize(recipient.email):
                raise UserError(
                    self.env._(
                        "Reminder %(name)s cannot be emailed: the email address "
                        "%(email)s of %(partner)s is not valid.",
                        name=self.name,
                        email=recipient.email,
                        partner=recipient.display_name,
                    )
                )

    def _get_mail_template(self):
        self.ensure_one()
        default = (
            "account_dunning_automation.mail_template_dunning_notice"
            if self.is_notice
            else "account_dunning_automation.mail_template_dunning_reminder"
        )
        return self.level_id.mail_template_id or self.env.ref(
            default, raise_if_not_found=False
        )

    def _mark_as_sent(self):
        today = fields.Date.context_today(self)
        # As superuser: the state changes only through the actions.
        for reminder in self.sudo():
            reminder.write(
                {
                    "state": "sent",
                    "sent_date": today,
                    "send_count": reminder.send_count + 1,
                }
            )

    def _email_composer_context(self):
        """Context of the email composer of the reminder: the level's
        template, the letter and the invoices attached in PDF when the email
        is posted (left out with a warning when they cannot be rendered, e.g.
        without a PDF engine, so that the email still goes out), the reminder
        marked as sent."""
        self.ensure_one()
        template = self._get_mail_template()
        return {
            "default_model": self._name,
            "default_res_ids": self.ids,
            "default_template_id": template.id if template else False,
            "default_composition_mode": "comment",
            "default_email_layout_xmlid": "mail.mail_notification_layout",
            "dunning_email": True,
            "dunning_attach_invoices": True,
            "dunning_attach_letter": self.level_id.attach_letter,
        }

    def _attach_pdf(self, report_ref, res_ids, name):
        """Render ``report_ref`` for ``res_ids`` as a PDF attached to the
        reminder."""
        self.ensure_one()
        # Rendered to be sent (email, letter channel): not a print.
        content, _report_type = (
            self.env["ir.actions.report"]
            .with_context(dunning_render_to_send=True)
            ._render_qweb_pdf(report_ref, res_ids)
        )
        return self.env["ir.attachment"].create(
            {
                "name": name,
                "raw": content,
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/pdf",
            }
        )

    def action_send(self):
        """Open the sending dialog (account.dunning.send): the level's
        channels, the email with every attachment it will carry; once the
        email is posted, the other channels of the level (letter, SMS, phone
        call) run too, like in the automatic sending. A level that sends no
        email is sent at once by its channels; a failed email is retried."""
        self.ensure_one()
        self._check_can_send()
        if self.send_state == "failed":
            self._retry_email()
            return True
        if not self.level_id.send_email and not self.level_id.manual_review:
            return self.env["account.dunning.send"]._send_one(self)
        self._check_sms_number()
        self._check_email_recipients()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Reminder %(name)s", name=self.name),
            "view_mode": "form",
            "res_model": "account.dunning.send",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "active_model": self._name,
                "active_ids": self.ids,
            },
        }

    def action_issue_and_send(self):
        """Issue the drafts and send them at once (form and list): each
        reminder in its own savepoint, the summary shown. A draft of a level
        reviewed by a person is refused (from the form: an error at once)."""
        if len(self) == 1:
            self._check_not_reviewed()
        return self.env["account.dunning.send"]._action_issue_and_send(self)

    def message_post(self, **kwargs):
        context = self.env.context
        missing = {}
        if len(self) == 1 and (
            context.get("dunning_attach_letter") or context.get("dunning_attach_invoices")
        ):
            pdfs = self.env["ir.attachment"]
            if context.get("dunning_attach_letter"):
                pdfs |= self._try_attach_pdf(
                    LETTER_REPORT,
                    self.ids,
                    f"{self._get_report_base_filename()}.pdf",
                    missing,
                )
            if context.get("dunning_attach_invoices"):
                pdfs |= self._get_invoice_attachments(missing)
            # Files the user removed in the sending dialog.
            skipped = context.get("dunning_skip_attachments")
            if skipped:
                pdfs = pdfs.filtered(lambda a: a.name not in skipped)
            if pdfs:
                kwargs["attachment_ids"] = list(kwargs.get("attachment_ids") or []) + [
                    attachment.id
                    for attachment in pdfs
                    if attachment.id not in (kwargs.get("attachment_ids") or [])
                ]
        if context.get("dunning_email"):
            # Said to Odoo: the email carries no tracking values, so that it
            # does not search them when rendering the email.
            kwargs.setdefault("tracking_value_ids", [])
        message = super().message_post(**kwargs)
        if missing:
            self._warn_missing_pdfs(missing)
        if self.env.context.get("dunning_email") and len(self) == 1:
            self._dunning_email_posted(message)
        return message

    def _dunning_email_posted(self, message):
        """The reminder email was posted: follow its delivery; from the form
        (composer), run the other channels of the level."""
        self.ensure_one()
        self.sudo().write(
            {"email_message_id": message.id, "send_state": "queued", "send_error": False}
        )
        plain = self.with_context(
            dunning_email=False,
            dunning_attach_letter=False,
            dunning_attach_invoices=False,
            dunning_send_channels=False,
        )
        if self.env.context.get("dunning_send_channels"):
            plain._send_other_channels()
        if not self.env.context.get("dunning_sending"):
            plain._dunning_update_send_state()

    def _try_attach_pdf(self, report_ref, res_ids, name, missing):
        """``_attach_pdf``, or nothing when the PDF cannot be rendered (no PDF
        engine, wkhtmltopdf failing): the failure is noted in ``missing``
        ({document name: error}) and the caller sends without that PDF."""
        cache = self.env.context.get("dunning_pdf_cache") or {}
        report = self.env["ir.actions.report"]._get_report(report_ref)
        if len(res_ids) == 1 and (report.id, res_ids[0]) in cache:
            # Rendered with its batch: nothing left to fail (no savepoint: it
            # would flush every email of the batch one by one).
            return self._attach_pdf(report_ref, res_ids, name)
        try:
            with self.env.cr.savepoint():
                return self._attach_pdf(report_ref, res_ids, name)
        except (UserError, OSError) as exc:
            _logger.warning("Reminder %s: PDF %s not rendered: %s", self.name, name, exc)
            missing[name] = exc.args[0] if isinstance(exc, UserError) else str(exc)
            return self.env["ir.attachment"]

    def _warn_missing_pdfs(self, missing):
        """A warning on the reminder's chatter, and in the log of the
        automation run that sends it, for the PDFs left out of its email."""
        self.ensure_one()
        message = self.env._(
            "Sent without %(documents)s: the PDF could not be rendered (%(error)s). "
            "Install the PDF engine wkhtmltopdf on the server to attach it.",
            documents=", ".join(missing),
            error=next(iter(missing.values())),
        )
        self._message_log(body=message)
        run_id = self.env.context.get("dunning_automation_run_id")
        if run_id:
            self.env["account.dunning.automation.run"].browse(run_id)._log_error(
                self.env["account.dunning.automation.action"].browse(
                    self.env.context.get("dunning_automation_action_id")
                ),
                message,
                self,
                severity="warning",
            )

    def _get_invoices_to_attach(self):
        """Invoices whose PDF the emails of the reminders attach, as their
        level says (none, the overdue ones, all of them)."""
        moves = self.env["account.move"]
        for reminder in self:
            mode = reminder.level_id.attach_invoices or "none"
            if mode == "none":
                continue
            # The items excluded from the reminder are not claimed by it.
            lines = reminder.line_ids.filtered(lambda l: not l.excluded)
            if mode == "overdue":
                lines = lines.filtered(lambda l: l.line_type == "overdue")
            moves |= lines.move_id
        return moves.filtered(lambda m: m.is_invoice(include_receipts=True))

    def _get_invoice_attachments(self, missing=None):
        """PDFs of the invoices to attach to the email, as the level says:
        the PDF kept on the invoice, rendered (and kept) when it has none. With
        ``missing`` (a dict), invoices whose PDF cannot be rendered (no PDF
        engine) are noted there and left out instead of failing."""
        self.ensure_one()
        invoices = self._get_invoices_to_attach()
        if missing is None or not invoices.filtered(
            lambda m: m.state == "posted" and not m.invoice_pdf_report_id
        ):
            # Nothing to render (no savepoint: it would flush every email).
            return invoices._dunning_store_invoice_pdfs()
        try:
            with self.env.cr.savepoint():
                return invoices._dunning_store_invoice_pdfs()
        except (UserError, OSError) as exc:
            _logger.warning("Reminder %s: invoice PDFs not rendered: %s", self.name, exc)
            for invoice in invoices.filtered(lambda m: not m.invoice_pdf_report_id):
                missing[invoice._get_invoice_report_filename()] = (
                    exc.args[0] if isinstance(exc, UserError) else str(exc)
                )
            return invoices.invoice_pdf_report_id

    def _check_sms_number(self):
        self.ensure_one()
        if self.level_id.send_sms and not (self.partner_id.mobile or self.partner_id.phone):
            raise UserError(
                self.env._(
                    "Reminder %(name)s cannot be sent by SMS: %(partner)s has no "
                    "mobile or phone number.",
                    name=self.name,
                    partner=self.partner_id.display_name,
                )
            )

    def _send_other_channels(self):
        """Letter, SMS and phone call of the level (everything but the email)."""
        self.ensure_one()
        level = self.level_id
        if level.send_letter:
            attachment = self._attach_pdf(
                LETTER_REPORT,
                self.ids,
                f"{self._get_report_base_filename()}.pdf",
            )
            self.message_post(
                body=self.env._("Reminder letter to print and post."),
                attachment_ids=attachment.ids,
            )
        if level.send_sms:
            template = level.sms_template_id or self.env.ref(
                "account_dunning_automation.sms_template_dunning_reminder",
                raise_if_not_found=False,
            )
            # The template renders in the customer's language; so does the
            # fallback text (the run itself writes in the company's).
            customer_env = self.with_context(lang=self.partner_id.lang or self.env.lang).env
            self._message_sms_with_template(
                template=template,
                template_fallback=customer_env._(
                    "Payment reminder %(name)s: %(amount)s due.",
                    name=self.name,
                    amount=self.amount_to_pay_display,
                ),
                partner_ids=self.partner_id.ids,
                # Into Odoo's SMS queue, like the emails into the mail queue:
                # the text leaves after the commit, exactly once, never from
                # a savepoint that may still be rolled back and replayed (a
                # batch falling back to one by one, a worker killed).
                put_in_queue=True,
            )
            cron = self.env.ref("sms.ir_cron_sms_scheduler_action", raise_if_not_found=False)
            if cron:
                # As superuser: the queue's cron is started for any sender;
                # the trigger is part of this transaction.
                cron.sudo()._trigger()
        if level.create_call_activity:
            self.activity_schedule(
                "mail.mail_activity_data_call",
                date_deadline=fields.Date.context_today(self),
                summary=self.env._(
                    "Call %(partner)s about reminder %(name)s",
                    partner=self.partner_id.display_name,
                    name=self.name,
                ),
                user_id=self._dunning_collector().id,
                note=self._dunning_call_note(),
            )

    def _dunning_collector(self):
        """Who calls the customer: its account manager, else the collector of
        the terms, else the salesperson of the claimed invoices (the most
        frequent), else the customer's salesperson, else the user sending;
        never OdooBot or the superuser (an automation runs as them, and a call
        assigned to them is lost): then an administrator of the reminders."""
        self.ensure_one()

        def usable(user):
            return (
                user
                and user.active
                and not user.share
                and not user._is_superuser()
                and self.company_id in user.company_ids
            )

        invoices = self.line_ids.filtered(lambda l: not l.excluded).move_id
        by_count = sorted(
            invoices.invoice_user_id,
            key=lambda u: (-len(invoices.filtered(lambda m, u=u: m.invoice_user_id == u)), u.id),
        )
        candidates = [
            self.responsible_id,
            self.sudo().term_id.collector_id or self.sudo().level_id.term_id.collector_id,
            *by_count,
            self.partner_id.commercial_partner_id.user_id,
            self.env.user,
        ]
        for user in candidates:
            if usable(user.sudo()):
                return user
        manager_group = self.env.ref(
            "account_dunning_automation.group_dunning_manager", raise_if_not_found=False
        )
        managers = self.env["res.users"].sudo().search(
            [
                ("groups_id", "in", manager_group.ids),
                ("share", "=", False),
                ("company_ids", "in", self.company_id.ids),
            ],
            order="id",
        )
        return next((u for u in managers if usable(u)), self.env.user)

    # ------------------------------------------------------------------
    # Delivery of the email
    # ------------------------------------------------------------------

    def _dunning_cancel_pending(self):
        """Cancel what these reminders still have waiting to leave: their
        emails in the mail queue or failed (a retry would send them again),
        their SMS in the SMS queue."""
        if not self:
            return
        # As superuser: the queues are not the users'; the caller checked
        # the access to the reminders.
        messages = self.env["mail.message"].sudo().search(
            [("model", "=", self._name), ("res_id", "in", self.ids)]
        )
        if not messages:
            return
        self.env["mail.mail"].sudo().search(
            [
                ("mail_message_id", "in", messages.ids),
                ("state", "in", ("outgoing", "exception")),
            ]
        ).cancel()
        self.env["sms.sms"].sudo().search(
            [("mail_message_id", "in", messages.ids), ("state", "=", "outgoing")]
        ).action_set_canceled()

    def _dunning_email_notifications(self):
        """Email notifications of the reminder email to the customer."""
        self.ensure_one()
        message = self.sudo().email_message_id
        notifications = message.notification_ids.filtered(
            lambda n: n.notification_type == "email"
        )
        return (
            notifications.filtered(lambda n: n.res_partner_id in message.partner_ids)
            or notifications
        )

    def _dunning_update_send_state(self):
        """Follow the delivery of the reminder email: delivered (the reminder
        becomes sent), failed (with the reason, on the reminder and in the log
        of the run that sent it) or still queued. A reminder without email
        channel is sent once its other channels ran."""
        for reminder in self.sudo():
            if reminder.state not in ("issued", "sent"):
                continue
            if not reminder.email_message_id:
                if reminder.state == "issued" and not reminder.level_id.send_email:
                    reminder._mark_as_sent()
                continue
            notifications = reminder._dunning_email_notifications()
            failed = notifications.filtered(
                lambda n: n.notification_status in ("exception", "bounce")
            )
            if failed:
                new_state = "failed"
                error = failed[0].failure_reason or dict(
                    failed[0]._fields["failure_type"]._description_selection(self.env)
                ).get(failed[0].failure_type, failed[0].failure_type or "")
                error = error or self.env._("Unknown error")
            elif notifications and all(
                n.notification_status == "sent" for n in notifications
            ):
                new_state, error = "delivered", False
            else:
                new_state, error = "queued", False
            old_state = reminder.send_state
            if (old_state, reminder.send_error) != (new_state, error):
                reminder.write({"send_state": new_state, "send_error": error})
            if new_state == "failed" and old_state != "failed":
                reminder._dunning_log_send_failure(error)
            elif new_state == "delivered" and old_state != "delivered":
                reminder._mark_as_sent()

    def _dunning_log_send_failure(self, error):
        """Show a failed email on the reminder and in the run log."""
        self.ensure_one()
        message = self.env._(
            "Reminder %(name)s: the email was not delivered (%(error)s). It is "
            "sent again by the next send action.",
            name=self.name,
            error=error,
        )
        self.message_post(body=message)
        run = self.sudo().send_run_id
        if run:
            action = run.automation_id.action_ids.filtered(
                lambda a: a.action_type == "send"
            )[:1]
            run._log_error(action, message, self)
            if run.state == "done":
                run.state = "error"

    def _retry_email(self):
        """Send the failed reminder email again: the same email, re-queued
        (the customer never gets two), or a new one when the mail server
        dropped it (invalid address, since corrected)."""
        self.ensure_one()
        self._check_email_recipients()
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "=", self.email_message_id.id),
                    ("state", "=", "exception"),
                ]
            )
        )
        if not mails or not self.email_message_id:
            self.sudo().write(
                {"send_state": False, "email_message_id": False}
            )
            composer_context = dict(self._email_composer_context(), dunning_sending=True)
            self.env["mail.compose.message"].with_context(
                **composer_context
            ).create({})._action_send_mail()
            self._dunning_update_send_state()
            return
        self._dunning_email_notifications().filtered(
            lambda n: n.notification_status in ("exception", "bounce")
        ).sudo().write(
            {"notification_status": "ready", "failure_type": False, "failure_reason": False}
        )
        mails.mark_outgoing()
        self.sudo().write(
            {"send_state": "queued", "send_error": False}
        )
        self.message_post(
            body=self.env._("The reminder email is queued to be sent again.")
        )
        cron = self.env.ref("mail.ir_cron_mail_scheduler_action", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()

    def action_send_batch(self):
        """Send the selected issued reminders by the channels of their level,
        each in its own savepoint: a failure is noted on the reminder and the
        others are sent. Reminders already sent are skipped, never resent."""
        return self.env["account.dunning.send"]._action_send_reminders(self)

    def action_print(self):
        """Print the reminder letter. Nothing is counted here (the layout
        dialog may open, the user may close it): the reminder counts a send
        when the PDF of this action is downloaded (_dunning_letter_printed,
        told by the action's data); no other rendering of the letter counts
        one."""
        self._check_can_send()
        return self.env.ref(LETTER_REPORT).report_action(
            self, data={"dunning_print_letter": True}
        )

    def _dunning_letter_printed(self):
        """The letter PDF of these reminders was produced for a user: issued
        reminders become sent and count a send. A reminder already sent (by
        email, or its letter printed before) is reprinted: logged, not
        counted as another send to the customer (the contact policy and the
        "sent N times" read that count). Reminders the user may not change (an
        auditor printing) count nothing."""
        printed = self.filtered(lambda r: r.state in ("issued", "sent"))._filtered_access(
            "write"
        )
        # An issued reminder whose email is queued or delivered was sent: its
        # print is a copy (the delivery of the email counts the send).
        first = printed.filtered(
            lambda r: r.state == "issued" and r.send_state not in ("queued", "delivered")
        )
        first._mark_as_sent()
        for reminder in first:
            reminder._message_log(body=self.env._("Reminder letter printed."))
        for reminder in printed - first:
            reminder._message_log(
                body=self.env._("Reminder letter printed again (not counted as a new send).")
            )

    def action_mark_sent(self):
        self._check_can_send()
        self._mark_as_sent()
        return True

    def _get_report_base_filename(self):
        # The letter's file is the customer's document: its name in the
        # customer's language, like the letter itself.
        self.ensure_one()
        env = self.with_context(lang=self.partner_id.lang or self.env.lang).env
        return env._("Reminder %s", self.name).replace("/", "_")
