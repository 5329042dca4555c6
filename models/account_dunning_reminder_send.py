# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging

from odoo import fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

LETTER_REPORT = "account_dunning_automation.action_report_dunning_reminder"


class AccountDunningReminder(models.Model):
    """Sending of reminders: email with the level's template and the invoices,
    letter in PDF, SMS, phone call activity."""

    _inherit = "account.dunning.reminder"

    # ------------------------------------------------------------------
    # Send
    # ------------------------------------------------------------------

    def _check_can_send(self):
        for reminder in self:
            if reminder.state not in ("issued", "sent"):
                raise UserError(
                    self.env._(
                        "Reminder %(name)s must be issued before it is sent.",
                        name=reminder.name,
                    )
                )

    def _get_mail_template(self):
        self.ensure_one()
        return self.level_id.mail_template_id or self.env.ref(
            "account_dunning_automation.mail_template_dunning_reminder",
            raise_if_not_found=False,
        )

    def _mark_as_sent(self):
        today = fields.Date.context_today(self)
        for reminder in self:
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
            "mark_dunning_reminder_as_sent": True,
            "dunning_attach_invoices": True,
            "dunning_attach_letter": True,
        }

    def _attach_pdf(self, report_ref, res_ids, name):
        """Render ``report_ref`` for ``res_ids`` as a PDF attached to the
        reminder."""
        self.ensure_one()
        content, _report_type = self.env["ir.actions.report"]._render_qweb_pdf(
            report_ref, res_ids
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
        """Open the email composer with the template of the level; a level
        that sends no email is sent at once by its channels (letter, SMS,
        phone call)."""
        self.ensure_one()
        self._check_can_send()
        if not self.level_id.send_email:
            return self._send_automatic()
        ctx = dict(self._email_composer_context(), force_email=True)
        return {
            "type": "ir.actions.act_window",
            "view_mode": "form",
            "res_model": "mail.compose.message",
            "views": [(False, "form")],
            "target": "new",
            "context": ctx,
        }

    def message_post(self, **kwargs):
        context = self.env.context
        if context.get("mark_dunning_reminder_as_sent"):
            self.filtered(lambda r: r.state in ("issued", "sent"))._mark_as_sent()
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
            if pdfs:
                kwargs["attachment_ids"] = list(kwargs.get("attachment_ids") or []) + [
                    attachment.id
                    for attachment in pdfs
                    if attachment.id not in (kwargs.get("attachment_ids") or [])
                ]
        message = super().message_post(**kwargs)
        if missing:
            self._warn_missing_pdfs(missing)
        return message

    def _try_attach_pdf(self, report_ref, res_ids, name, missing):
        """``_attach_pdf``, or nothing when the PDF cannot be rendered (no PDF
        engine, wkhtmltopdf failing): the failure is noted in ``missing``
        ({document name: error}) and the caller sends without that PDF."""
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

    def _get_invoice_attachments(self, missing=None):
        """PDFs of the invoices to attach to the email, as the level says:
        the PDF kept on the invoice when it was sent, else a fresh one. With
        ``missing`` (a dict), an invoice whose PDF cannot be rendered is noted
        there and left out instead of failing."""
        self.ensure_one()
        mode = self.level_id.attach_invoices or "none"
        if mode == "none":
            return self.env["ir.attachment"]
        lines = self.line_ids
        if mode == "overdue":
            lines = lines.filtered(lambda l: l.line_type == "overdue")
        moves = lines.move_id.filtered(lambda m: m.is_invoice(include_receipts=True))
        attachments = self.env["ir.attachment"]
        for move in moves:
            attachment = move.invoice_pdf_report_id
            if not attachment and missing is not None:
                attachment = self._try_attach_pdf(
                    "account.account_invoices",
                    move.ids,
                    move._get_invoice_report_filename(),
                    missing,
                )
            elif not attachment:
                attachment = self._attach_pdf(
                    "account.account_invoices",
                    move.ids,
                    move._get_invoice_report_filename(),
                )
            attachments |= attachment
        return attachments

    def _send_automatic(self):
        """Send an issued reminder without user interaction (automations),
        by the channels of its level: email with the level's template, and/or
        the letter in PDF attached to the chatter, ready to print."""
        self.ensure_one()
        self._check_can_send()
        level = self.level_id
        if not (
            level.send_email
            or level.send_letter
            or level.send_sms
            or level.create_call_activity
        ):
            raise UserError(
                self.env._(
                    "Reminder %(name)s: its level %(level)s has no sending method "
                    "(email, letter, SMS or phone call).",
                    name=self.name,
                    level=level.display_name,
                )
            )
        if level.send_sms and not (self.partner_id.mobile or self.partner_id.phone):
            raise UserError(
                self.env._(
                    "Reminder %(name)s cannot be sent by SMS: %(partner)s has no "
                    "mobile or phone number.",
                    name=self.name,
                    partner=self.partner_id.display_name,
                )
            )
        if level.send_email:
            if not all(self.recipient_ids.mapped("email")):
                raise UserError(
                    self.env._(
                        "Reminder %(name)s cannot be emailed: %(partner)s has no "
                        "email address.",
                        name=self.name,
                        partner=self.partner_id.display_name,
                    )
                )
            # The reminder is marked as sent once, below, whatever the channels.
            composer_context = dict(
                self._email_composer_context(), mark_dunning_reminder_as_sent=False
            )
            self.env["mail.compose.message"].with_context(
                **composer_context
            ).create({})._action_send_mail()
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
            self._message_sms_with_template(
                template=template,
                template_fallback=self.env._(
                    "Payment reminder %(name)s: %(amount)s due.",
                    name=self.name,
                    amount=self.totals_by_currency,
                ),
                partner_ids=self.partner_id.ids,
            )
        if level.create_call_activity:
            self.activity_schedule(
                "mail.mail_activity_data_call",
                date_deadline=fields.Date.context_today(self),
                summary=self.env._(
                    "Call %(partner)s about reminder %(name)s",
                    partner=self.partner_id.display_name,
                    name=self.name,
                ),
                user_id=(self.responsible_id or self.env.user).id,
            )
        self._mark_as_sent()
        return True

    def action_send_batch(self):
        """Send the selected issued reminders by the channels of their level,
        each in its own savepoint: a failure is noted on the reminder and the
        others are sent. Reminders already sent are skipped, never resent."""
        to_send = self.filtered(lambda r: r.state == "issued")
        sent = self.browse()
        failed = self.browse()
        for reminder in to_send:
            try:
                with self.env.cr.savepoint():
                    reminder._send_automatic()
                sent |= reminder
            except UserError as exc:
                failed |= reminder
                reminder.message_post(
                    body=self.env._("Not sent: %(error)s", error=exc.args[0])
                )
        message = self.env._(
            "%(sent)s reminder(s) sent, %(failed)s failed (see their messages), "
            "%(skipped)s skipped (not issued, or already sent).",
            sent=len(sent),
            failed=len(failed),
            skipped=len(self - to_send),
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": "warning" if failed else "success",
                "sticky": bool(failed),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_print(self):
        """Print the reminder letter; issued reminders become sent."""
        self._check_can_send()
        self._mark_as_sent()
        return self.env.ref(LETTER_REPORT).report_action(self)

    def action_mark_sent(self):
        self._check_can_send()
        self._mark_as_sent()
        return True

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Reminder %s", self.name).replace("/", "_")
