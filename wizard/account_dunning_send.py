# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
from collections import defaultdict

from markupsafe import escape

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)

LETTER_REPORT = "account_dunning_automation.action_report_dunning_reminder"


class AccountDunningSend(models.TransientModel):
    """Sending of reminders, the way account.move.send serves invoices: one
    model for every path. Its form is the dialog of the reminder's "Send"
    button (one reminder: the level's channels, the email with every
    attachment listed before it goes); its model methods are the shared entry
    point of the list's "Send" and "Issue & Send", the customer's "Send
    reminder now" and the automations' send step (a set of reminders, each in
    its own savepoint, and a summary).

    The reminder keeps its lifecycle (state, buttons); this model decides what
    is sent, how and in which batches: the checks before sending, the email
    composer and its PDFs, the letter, SMS and call channels. The delivery of
    what was sent is account.dunning.delivery's."""

    _name = "account.dunning.send"
    _description = "Send Payment Reminders"

    reminder_ids = fields.Many2many("account.dunning.reminder", required=True)
    reminder_id = fields.Many2one(
        "account.dunning.reminder",
        string="Reminder to Send",
        compute="_compute_reminder_id",
    )
    company_id = fields.Many2one(related="reminder_id.company_id")
    # The channels of the level, shown (they are set on the level).
    send_email = fields.Boolean(related="reminder_id.level_id.send_email", string="By Email")
    send_letter = fields.Boolean(
        related="reminder_id.level_id.send_letter", string="Letter to Print"
    )
    send_sms = fields.Boolean(related="reminder_id.level_id.send_sms", string="By SMS")
    create_call_activity = fields.Boolean(
        related="reminder_id.level_id.create_call_activity", string="Phone Call"
    )
    mail_partner_ids = fields.Many2many(
        "res.partner",
        string="Recipients",
        compute="_compute_mail_values",
        store=True,
        readonly=False,
    )
    mail_subject = fields.Char(
        string="Subject", compute="_compute_mail_values", store=True, readonly=False
    )
    mail_body = fields.Html(
        string="Contents",
        sanitize_style=True,
        compute="_compute_mail_values",
        store=True,
        readonly=False,
    )
    mail_attachments_widget = fields.Json(
        string="Attachments",
        compute="_compute_mail_attachments_widget",
        store=True,
        readonly=False,
    )
    summary = fields.Html(compute="_compute_summary")

    @api.model
    def default_get(self, fields_list):
        result = super().default_get(fields_list)
        context = self.env.context
        if (
            "reminder_ids" in fields_list
            and "reminder_ids" not in result
            and context.get("active_model") == "account.dunning.reminder"
        ):
            result["reminder_ids"] = [fields.Command.set(context.get("active_ids", []))]
        return result

    @api.depends("reminder_ids")
    def _compute_reminder_id(self):
        for wizard in self:
            wizard.reminder_id = wizard.reminder_ids if len(wizard.reminder_ids) == 1 else False

    @api.depends("reminder_id")
    def _compute_mail_values(self):
        """Subject, body and recipients as Odoo's composer renders them from
        the level's template (language of the customer, same layout)."""
        for wizard in self:
            reminder = wizard.reminder_id
            if not reminder or not reminder.level_id.send_email:
                wizard.mail_subject = wizard.mail_body = wizard.mail_partner_ids = False
                continue
            composer = self.env["mail.compose.message"].with_context(
                **self._email_composer_context(reminder)
            ).new({})
            wizard.mail_subject = composer.subject
            wizard.mail_body = composer.body
            # (real partners, not the new records of the composer draft)
            wizard.mail_partner_ids = composer.partner_ids._origin

    @api.depends("reminder_id")
    def _compute_mail_attachments_widget(self):
        for wizard in self:
            manual = [a for a in wizard.mail_attachments_widget or [] if a.get("manual")]
            wizard.mail_attachments_widget = (
                self._get_mail_attachments_data(wizard.reminder_id) + manual
                if wizard.reminder_id
                else manual
            )

    @api.depends("reminder_ids")
    def _compute_summary(self):
        for wizard in self:
            to_send = self._reminders_to_send(wizard.reminder_ids)
            wizard.summary = escape(
                self.env._(
                    "%(count)s reminder(s) will be sent by the channels of their "
                    "level; %(skipped)s skipped (not issued, or already sent).",
                    count=len(to_send),
                    skipped=len(wizard.reminder_ids - to_send),
                )
            )

    @api.model
    def _get_mail_attachments_data(self, reminder):
        """Every file the reminder email will carry, listed before it is sent:
        the letter (rendered when the email is posted) and the invoices (their
        kept PDF, or rendered then)."""
        result = []
        if reminder.level_id.attach_letter and self.env.ref(
            LETTER_REPORT, raise_if_not_found=False
        ):
            name = f"{reminder._get_report_base_filename()}.pdf"
            result.append(
                {
                    "id": f"placeholder_{name}",
                    "name": name,
                    "mimetype": "application/pdf",
                    "placeholder": True,
                }
            )
        for invoice in self._get_invoices_to_attach(reminder):
            attachment = invoice.invoice_pdf_report_id
            if attachment:
                result.append(
                    {
                        "id": attachment.id,
                        "name": attachment.name,
                        "mimetype": attachment.mimetype,
                        "placeholder": False,
                        "protect_from_deletion": True,
                    }
                )
            else:
                name = invoice._get_invoice_report_filename()
                result.append(
                    {
                        "id": f"placeholder_{name}",
                        "name": name,
                        "mimetype": "application/pdf",
                        "placeholder": True,
                    }
                )
        return result

    # ------------------------------------------------------------------
    # Dialog (one reminder)
    # ------------------------------------------------------------------

    def action_send(self):
        """Send from the dialog: one reminder with the email as edited here
        (then its other channels), or the selected reminders in one batch."""
        self.ensure_one()
        reminder = self.reminder_id
        if not reminder:
            return self._action_send_reminders(self.reminder_ids)
        self._check_can_send(reminder)
        if not reminder.level_id.send_email:
            # Sent from its dialog: the review asked by its level is this one.
            self._send_one(reminder, reviewed=True)
            return {"type": "ir.actions.act_window_close"}
        self._check_sms_number(reminder)
        self._check_email_recipients(reminder)
        listed = self.mail_attachments_widget or []
        manual_ids = [a["id"] for a in listed if a.get("manual") and not a.get("skip")]
        # The composer posts the email; the reminder's message_post attaches
        # the letter and the invoices listed above, and runs the other
        # channels of the level (dunning_send_channels).
        context = dict(
            self._email_composer_context(reminder),
            force_email=True,
            dunning_send_channels=True,
            # The letter or invoices removed from the list are not attached.
            dunning_skip_attachments=[a["name"] for a in listed if a.get("skip")],
        )
        self.env["mail.compose.message"].with_context(**context).create(
            {
                "subject": self.mail_subject,
                "body": self.mail_body,
                "partner_ids": [fields.Command.set(self.mail_partner_ids.ids)],
                "attachment_ids": [fields.Command.set(manual_ids)],
            }
        )._action_send_mail()
        return {"type": "ir.actions.act_window_close"}

    # ------------------------------------------------------------------
    # Shared entry point (many reminders)
    # ------------------------------------------------------------------

    @api.model
    def _reminders_to_send(self, reminders):
        """Issued and not delivered: a reminder is never sent twice by a batch;
        one whose email failed gets the same email again, one whose email is
        still queued waits for the mail queue."""
        # An automation's send action may send a sent reminder again (its
        # "times sent at one level"): it chose them, see
        # account.dunning.automation.action._reminders_to_resend.
        resend = reminders.env.context.get("dunning_resend_ids") or []
        return reminders.filtered(
            lambda r: (r.state == "issued" or (r.state == "sent" and r.id in resend))
            and r.send_state != "queued"
        )

    @api.model
    def _send_reminders(self, reminders, queue_emails=False):
        """Send the issued reminders among ``reminders`` by the channels of
        their level, each in its own savepoint: a failing reminder is left
        out and the others are sent. The heavy work is done once for all of
        them: the letters rendered in one PDF-engine call, the invoice PDFs
        once and kept on the invoices. With ``queue_emails`` (automations),
        the emails are rendered together (one composer per template) and
        queued for the mail queue; otherwise each goes out at once.

        Returns ``{"sent": reminders, "errors": [(reminder, exception)],
        "skipped": reminders}``."""
        to_send = self._reminders_to_send(reminders)
        result = {"sent": to_send.browse(), "errors": [], "skipped": reminders - to_send}
        if not to_send:
            return result
        to_send = to_send.with_context(dunning_pdf_cache=self._prerender_pdfs(to_send))
        # The portal tokens of the pay-online links in one query for the set
        # (each token written through its invoice runs the invoice's sync).
        to_send.line_ids.move_id.filtered(
            lambda m: m.is_invoice(include_receipts=True) and m.state == "posted"
        ).sudo()._dunning_ensure_access_tokens()
        # In the reminders' context (run of an automation, PDF cache), which
        # the composers and the reminders' hooks read.
        self = self.with_env(to_send.env)  # pylint: disable=self-cls-assignment
        if queue_emails:
            email_queue = []
            try:
                with self.env.cr.savepoint():
                    done, errors = self._send_each(to_send, email_queue)
                    self._send_queued_emails(email_queue)
                    self.env["account.dunning.delivery"]._dunning_update_send_state(done)
            except Exception:  # pylint: disable=broad-except
                _logger.info(
                    "Sending reminders %s at once failed, sending one by one",
                    to_send.ids,
                    exc_info=True,
                )
                done, errors = self._send_each(to_send)
        else:
            done, errors = self._send_each(to_send)
        result.update(sent=done, errors=errors)
        return result

    @api.model
    def _send_each(self, reminders, email_queue=None):
        """``_send_one`` for each reminder: all in one savepoint first, and
        when anything fails, again each in its own savepoint (like account's
        _autopost_draft_entries). Any error (a user error, a serialization
        failure, a bug) rolls back that reminder only."""
        done = reminders.browse()
        errors = []
        if len(reminders) > 1:
            queued = len(email_queue) if email_queue is not None else 0
            try:
                with self.env.cr.savepoint():
                    for reminder in reminders:
                        self._send_one(reminder, email_queue)
                return reminders, errors
            except Exception:  # pylint: disable=broad-except
                if email_queue is not None:
                    del email_queue[queued:]
        for reminder in reminders:
            queued = len(email_queue) if email_queue is not None else 0
            try:
                with self.env.cr.savepoint():
                    self._send_one(reminder, email_queue)
                done |= reminder
            except Exception as exc:  # pylint: disable=broad-except
                if email_queue is not None:
                    del email_queue[queued:]
                if not isinstance(exc, UserError | ValidationError):
                    _logger.warning("Reminder %s: sending failed", reminder.name, exc_info=True)
                errors.append((reminder, exc))
        return done, errors

    @api.model
    def _send_one(self, reminder, email_queue=None, reviewed=False):
        """Send an issued reminder without user interaction, by the channels
        of its level: email with the level's template, and/or the letter in
        PDF attached to the chatter, ready to print, SMS, phone call. A
        reminder whose email failed gets the same email again (nothing else);
        one whose email is queued is not sent twice. With ``email_queue`` (a
        list), the email is only queued there, sent with the others of its
        template by _send_queued_emails."""
        reminder.ensure_one()
        self._check_can_send(reminder)
        run_id = reminder.env.context.get("dunning_run_id")
        if run_id:
            reminder.sudo().send_run_id = run_id
        if reminder.send_state == "failed":
            # the same email again (already reviewed when it was sent)
            self.env["account.dunning.delivery"]._retry_email(reminder)
            return True
        if not reviewed:
            # (the sending dialog passes reviewed=True: it showed the preview)
            self._check_not_reviewed(reminder)
        if reminder.send_state == "queued" and reminder.state == "issued":
            raise UserError(
                self.env._(
                    "Reminder %(name)s: its email is waiting in the outgoing queue; "
                    "it is not sent twice.",
                    name=reminder.name,
                )
            )
        level = reminder.level_id
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
                    name=reminder.name,
                    level=level.display_name,
                )
            )
        self._check_sms_number(reminder)
        if level.send_email:
            self._check_email_recipients(reminder)
            # The reminder is marked as sent once, below, whatever the channels.
            composer_context = dict(self._email_composer_context(reminder), dunning_sending=True)
            if email_queue is not None:
                email_queue.append((reminder.id, composer_context))
            else:
                # One reminder: sent right away, as Odoo's composer does for
                # one record.
                self.env["mail.compose.message"].with_env(reminder.env).with_context(
                    **composer_context
                ).create({})._action_send_mail()
        self._send_other_channels(reminder)
        self.env["account.dunning.delivery"]._dunning_update_send_state(reminder)
        return True

    @api.model
    def _prerender_pdfs(self, reminders):
        """Render, for ``reminders``, the letters their channels need (sent by
        post, or attached to the email) in one PDF-engine call, and the
        missing invoice PDFs in another one (kept on the invoices). Returns
        the cache of the letters, ``{(report id, reminder id): (content,
        format)}``, that ir.actions.report reads when the context carries it
        (``dunning_pdf_cache``)."""
        cache = {}
        letter_report = self.env.ref(LETTER_REPORT, raise_if_not_found=False)
        if letter_report:
            # Posted letters, and emails attaching the letter.
            need_letter = reminders.filtered(
                lambda r: r.level_id.send_letter
                or (r.level_id.send_email and r.level_id.attach_letter)
            )
            try:
                with self.env.cr.savepoint():
                    contents = self.env["ir.actions.report"]._dunning_render_split(
                        letter_report, need_letter.ids
                    )
                cache.update(
                    {(letter_report.id, res_id): value for res_id, value in contents.items()}
                )
            except Exception:  # pylint: disable=broad-except
                # Each reminder renders its own letter (and logs its error).
                _logger.info("Rendering the letters of a batch failed", exc_info=True)
        emailed = reminders.filtered(lambda r: r.level_id.send_email)
        invoices = self._get_invoices_to_attach(emailed)
        try:
            with self.env.cr.savepoint():
                invoices._dunning_store_invoice_pdfs()
        except Exception:  # pylint: disable=broad-except
            _logger.info("Rendering the invoices of a batch failed", exc_info=True)
        return cache

    @api.model
    def _send_queued_emails(self, queue):
        """One composer per template (and composer options) for all the
        reminders queued: the template rendered for all of them at once, one
        message per reminder, its mails queued. The messages, their emails
        and notifications are created together (account.dunning.mail.batch's
        _dunning_post_emails), with the same result as the composer's one
        message_post per reminder, which remains the path of a reminder alone
        and of a database whose mail.thread another module changed. (When
        anything fails, the caller sends the batch again one by one.)"""
        groups = defaultdict(list)
        contexts = {}
        for reminder_id, context in queue:
            key = repr(sorted((k, v) for k, v in context.items() if k != "default_res_ids"))
            groups[key].append(reminder_id)
            contexts[key] = context
        mail_batch = self.env["account.dunning.mail.batch"]
        for key, res_ids in groups.items():
            composer = self.env["mail.compose.message"].with_context(
                **dict(
                    contexts[key],
                    default_res_ids=res_ids,
                    # their reply-to addresses asked once (see the reminder's
                    # _notify_get_reply_to)
                    dunning_reply_to={"ids": res_ids, "values": {}},
                    # each reminder's subject and body rendered by the
                    # template in its customer's language (see
                    # mail.compose.message._render_field in this module)
                    dunning_render_from_template=True,
                    # ... that language rendered once per reminder (see
                    # mail.render.mixin._render_lang in this module)
                    dunning_lang_memo={},
                )
            ).create({"force_send": False})
            if mail_batch._dunning_can_post_in_bulk(composer, res_ids):
                mail_batch._dunning_post_emails(composer, res_ids)
            else:
                composer._action_send_mail()
        if queue:
            # Queued like every batch of Odoo's composer: the mail queue sends
            # them in its own transactions, and each reminder follows the
            # delivery of its email (mail.mail hook); sooner than its schedule.
            cron = self.env.ref("mail.ir_cron_mail_scheduler_action", raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger()

    # ------------------------------------------------------------------
    # One-click paths (list, form, customer)
    # ------------------------------------------------------------------

    @api.model
    def _action_send_reminders(self, reminders):
        """Send the selected reminders now (list "Send"): a failure is noted
        on its reminder, the others are sent; the summary is shown."""
        reminders._check_dunning_access()
        result = self._send_reminders(reminders)
        return self._summary_notification(result)

    @api.model
    def _action_issue_and_send(self, reminders):
        """Issue the drafts among ``reminders``, each in its own savepoint,
        then send every issued one (Issue & Send). A draft that cannot be
        issued stays a draft; one issued but not sent stays issued; both are
        reported with their reason."""
        reminders._check_dunning_access()
        drafts = reminders.filtered(lambda r: r.state == "draft")
        issue_errors = []
        issued = reminders.browse()
        for reminder in drafts:
            try:
                with self.env.cr.savepoint():
                    # Refused before anything is posted (fees, level).
                    self._check_not_reviewed(reminder)
                    reminder.action_issue()
                issued |= reminder
            except (UserError, ValidationError) as exc:
                issue_errors.append((reminder, exc))
        to_send = issued | (reminders - drafts).filtered(lambda r: r.state == "issued")
        result = self._send_reminders(to_send)
        result["errors"] = issue_errors + result["errors"]
        result["skipped"] |= reminders - drafts - to_send
        return self._summary_notification(result)

    @api.model
    def _error_text(self, exc):
        # The same words as the error entries of an automation run.
        return self.env["account.dunning.automation.action"]._error_message(exc)

    @api.model
    def _summary_notification(self, result):
        """The batch summary: sent, failed with their reasons (also noted on
        each reminder's chatter), skipped."""
        for reminder, exc in result["errors"]:
            reminder.message_post(
                body=self.env._("Not sent: %(error)s", error=self._error_text(exc))
            )
        message = self.env._(
            "%(sent)s reminder(s) sent, %(failed)s failed (see their messages), "
            "%(skipped)s skipped (not issued, or already sent).",
            sent=len(result["sent"]),
            failed=len(result["errors"]),
            skipped=len(result["skipped"]),
        )
        queued = result["sent"].filtered(lambda r: r.send_state == "queued")
        if queued:
            # Sent means delivered: said as it is when the summary is shown.
            message += "\n" + self.env._(
                "%(count)s email(s) handed to the outgoing mail queue: their "
                "reminders show \"Sent\" once the mail server accepted them.",
                count=len(queued),
            )
        details = [
            self.env._(
                "%(reminder)s (%(customer)s): %(error)s",
                reminder=reminder.name,
                customer=reminder.partner_id.display_name,
                error=self._error_text(exc),
            )
            for reminder, exc in result["errors"]
        ]
        if details:
            message = "\n".join([message, *details])
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Payment reminders"),
                "message": message,
                "type": "warning" if result["errors"] else "success",
                "sticky": bool(result["errors"]),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ------------------------------------------------------------------
    # What a reminder sends: checks, email composer, attachments, channels
    # ------------------------------------------------------------------

    @api.model
    def _check_can_send(self, reminders):
        reminders._check_dunning_access()
        for reminder in reminders:
            if reminder.state not in ("issued", "sent"):
                raise UserError(
                    reminders.env._(
                        "Reminder %(name)s must be issued before it is sent.",
                        name=reminder.name,
                    )
                )
            # Holds set after the issue are honoured: nothing is sent to a
            # customer marked "No Reminders", nor about a disputed invoice.
            self.env["account.dunning.contact.policy"]._check_partner_remindable(reminder)
            on_hold = reminder.line_ids.filtered(
                lambda l: l.line_type != "blocked" and l.move_id.dunning_blocked
            )
            if on_hold:
                raise UserError(
                    reminders.env._(
                        "Reminder %(name)s is not sent: %(invoices)s were put on hold "
                        "(\"No Reminders\") after it was issued. Cancel it and "
                        "create a new one.",
                        name=reminder.name,
                        invoices=", ".join(on_hold.move_id.mapped("name")),
                    )
                )

    @api.model
    def _check_not_reviewed(self, reminders):
        """A level reviewed by a person is sent only from the sending dialog,
        which shows the email, the recipients and every attachment before
        they go (the dialog does not call this check; no context key lifts
        it, as a caller could set one over RPC)."""
        for reminder in reminders:
            if reminder.level_id.manual_review:
                raise UserError(
                    reminders.env._(
                        "Reminder %(name)s is not sent: its level %(level)s is "
                        "reviewed by a person. Open it, issue it and use its "
                        "\"Send\" button: the sending dialog shows the email and "
                        "the letter before they go.",
                        name=reminder.name,
                        level=reminder.level_id.display_name,
                    )
                )

    @api.model
    def _check_email_recipients(self, reminder):
        """Refuse to email a customer without a valid address: an error before
        sending, never a silent "sent"."""
        reminder.ensure_one()
        if not reminder.partner_id.active:
            raise UserError(
                reminder.env._(
                    "Reminder %(name)s cannot be emailed: %(partner)s is archived.",
                    name=reminder.name,
                    partner=reminder.partner_id.display_name,
                )
            )
        for recipient in reminder.recipient_ids:
            if not recipient.email:
                raise UserError(
                    reminder.env._(
                        "Reminder %(name)s cannot be emailed: %(partner)s has no "
                        "email address.",
                        name=reminder.name,
                        partner=recipient.display_name,
                    )
                )
            if not tools.email_normalize(recipient.email):
                raise UserError(
                    reminder.env._(
                        "Reminder %(name)s cannot be emailed: the email address "
                        "%(email)s of %(partner)s is not valid.",
                        name=reminder.name,
                        email=recipient.email,
                        partner=recipient.display_name,
                    )
                )

    @api.model
    def _check_sms_number(self, reminder):
        reminder.ensure_one()
        partner = reminder.partner_id
        if reminder.level_id.send_sms and not (partner.mobile or partner.phone):
            raise UserError(
                reminder.env._(
                    "Reminder %(name)s cannot be sent by SMS: %(partner)s has no "
                    "mobile or phone number.",
                    name=reminder.name,
                    partner=reminder.partner_id.display_name,
                )
            )

    @api.model
    def _email_composer_context(self, reminder):
        """Context of the email composer of the reminder: the level's
        template, the letter and the invoices attached in PDF when the email
        is posted (left out with a warning when they cannot be rendered, e.g.
        without a PDF engine, so that the email still goes out), the reminder
        marked as sent."""
        reminder.ensure_one()
        template = self._get_mail_template(reminder)
        return {
            "default_model": reminder._name,
            "default_res_ids": reminder.ids,
            "default_template_id": template.id if template else False,
            "default_composition_mode": "comment",
            "default_email_layout_xmlid": "mail.mail_notification_layout",
            "dunning_email": True,
            "dunning_attach_invoices": True,
            "dunning_attach_letter": reminder.level_id.attach_letter,
        }

    @api.model
    def _get_invoices_to_attach(self, reminders):
        """Invoices whose PDF the emails of the reminders attach, as their
        level says (none, the overdue ones, all of them)."""
        moves = reminders.env["account.move"]
        for reminder in reminders:
            mode = reminder.level_id.attach_invoices or "none"
            if mode == "none":
                continue
            # The items excluded from the reminder are not claimed by it.
            lines = reminder.line_ids.filtered(lambda l: not l.excluded)
            if mode == "overdue":
                lines = lines.filtered(lambda l: l.line_type == "overdue")
            moves |= lines.move_id
        return moves.filtered(lambda m: m.is_invoice(include_receipts=True))

    @api.model
    def _get_invoice_attachments(self, reminder, missing=None):
        """PDFs of the invoices to attach to the email, as the level says:
        the PDF kept on the invoice, rendered (and kept) when it has none. With
        ``missing`` (a dict), invoices whose PDF cannot be rendered (no PDF
        engine) are noted there and left out instead of failing."""
        reminder.ensure_one()
        invoices = self._get_invoices_to_attach(reminder)
        if missing is None or not invoices.filtered(
            lambda m: m.state == "posted" and not m.invoice_pdf_report_id
        ):
            # Nothing to render (no savepoint: it would flush every email).
            return invoices._dunning_store_invoice_pdfs()
        try:
            with reminder.env.cr.savepoint():
                return invoices._dunning_store_invoice_pdfs()
        except (UserError, OSError) as exc:
            _logger.warning("Reminder %s: invoice PDFs not rendered: %s", reminder.name, exc)
            for invoice in invoices.filtered(lambda m: not m.invoice_pdf_report_id):
                missing[invoice._get_invoice_report_filename()] = (
                    exc.args[0] if isinstance(exc, UserError) else str(exc)
                )
            return invoices.invoice_pdf_report_id

    @api.model
    def _attach_pdf(self, reminder, report_ref, res_ids, name):
        """Render ``report_ref`` for ``res_ids`` as a PDF attached to the
        reminder."""
        reminder.ensure_one()
        # Rendered to be sent (email, letter channel): not a print.
        content, _report_type = (
            reminder.env["ir.actions.report"]
            .with_context(dunning_render_to_send=True)
            ._render_qweb_pdf(report_ref, res_ids)
        )
        return reminder.env["ir.attachment"].create(
            {
                "name": name,
                "raw": content,
                "res_model": reminder._name,
                "res_id": reminder.id,
                "mimetype": "application/pdf",
            }
        )

    @api.model
    def _try_attach_pdf(self, reminder, report_ref, res_ids, name, missing):
        """``_attach_pdf``, or nothing when the PDF cannot be rendered (no PDF
        engine, wkhtmltopdf failing): the failure is noted in ``missing``
        ({document name: error}) and the caller sends without that PDF."""
        cache = reminder.env.context.get("dunning_pdf_cache") or {}
        report = reminder.env["ir.actions.report"]._get_report(report_ref)
        if len(res_ids) == 1 and (report.id, res_ids[0]) in cache:
            # Rendered with its batch: nothing left to fail (no savepoint: it
            # would flush every email of the batch one by one).
            return self._attach_pdf(reminder, report_ref, res_ids, name)
        try:
            with reminder.env.cr.savepoint():
                return self._attach_pdf(reminder, report_ref, res_ids, name)
        except (UserError, OSError) as exc:
            _logger.warning("Reminder %s: PDF %s not rendered: %s", reminder.name, name, exc)
            missing[name] = exc.args[0] if isinstance(exc, UserError) else str(exc)
            return reminder.env["ir.attachment"]

    @api.model
    def _warn_missing_pdfs(self, reminder, missing):
        """A warning on the reminder's chatter, and in the log of the
        automation run that sends it, for the PDFs left out of its email."""
        reminder.ensure_one()
        message = reminder.env._(
            "Sent without %(documents)s: the PDF could not be rendered (%(error)s). "
            "Install the PDF engine wkhtmltopdf on the server to attach it.",
            documents=", ".join(missing),
            error=next(iter(missing.values())),
        )
        reminder._message_log(body=message)
        run_id = reminder.env.context.get("dunning_automation_run_id")
        if run_id:
            reminder.env["account.dunning.automation.run"].browse(run_id)._log_error(
                reminder.env["account.dunning.automation.action"].browse(
                    reminder.env.context.get("dunning_automation_action_id")
                ),
                message,
                reminder,
                severity="warning",
            )

    @api.model
    def _send_other_channels(self, reminder):
        """Letter, SMS and phone call of the level (everything but the email)."""
        reminder.ensure_one()
        level = reminder.level_id
        if level.send_letter:
            attachment = self._attach_pdf(
                reminder,
                LETTER_REPORT,
                reminder.ids,
                f"{reminder._get_report_base_filename()}.pdf",
            )
            reminder.message_post(
                body=reminder.env._("Reminder letter to print and post."),
                attachment_ids=attachment.ids,
            )
        if level.send_sms:
            template = level.sms_template_id or reminder.env.ref(
                "account_dunning_automation.sms_template_dunning_reminder",
                raise_if_not_found=False,
            )
            # The template renders in the customer's language; so does the
            # fallback text (the run itself writes in the company's).
            lang = reminder.partner_id.lang or reminder.env.lang
            customer_env = reminder.with_context(lang=lang).env
            reminder._message_sms_with_template(
                template=template,
                template_fallback=customer_env._(
                    "Payment reminder %(name)s: %(amount)s due.",
                    name=reminder.name,
                    amount=reminder.amount_to_pay_display,
                ),
                partner_ids=reminder.partner_id.ids,
                # Into Odoo's SMS queue, like the emails into the mail queue:
                # the text leaves after the commit, exactly once, never from
                # a savepoint that may still be rolled back and replayed (a
                # batch falling back to one by one, a worker killed).
                put_in_queue=True,
            )
            cron = reminder.env.ref("sms.ir_cron_sms_scheduler_action", raise_if_not_found=False)
            if cron:
                # As superuser: the queue's cron is started for any sender;
                # the trigger is part of this transaction.
                cron.sudo()._trigger()
        if level.create_call_activity:
            reminder.activity_schedule(
                "mail.mail_activity_data_call",
                date_deadline=fields.Date.context_today(reminder),
                summary=reminder.env._(
                    "Call %(partner)s about reminder %(name)s",
                    partner=reminder.partner_id.display_name,
                    name=reminder.name,
                ),
                user_id=self.env["account.dunning.call"]._dunning_collector(reminder).id,
                note=self.env["account.dunning.call"]._dunning_call_note(reminder),
            )

    @api.model
    def _dunning_email_attachments(self, reminder, missing):
        """PDFs the reminder email carries, as its composer context says
        (``dunning_attach_letter``, ``dunning_attach_invoices``), less the
        files the user removed in the sending dialog
        (``dunning_skip_attachments``). PDFs that cannot be rendered are
        noted in ``missing`` and left out."""
        context = reminder.env.context
        pdfs = reminder.env["ir.attachment"]
        if context.get("dunning_attach_letter"):
            pdfs |= self._try_attach_pdf(
                reminder,
                LETTER_REPORT,
                reminder.ids,
                f"{reminder._get_report_base_filename()}.pdf",
                missing,
            )
        if context.get("dunning_attach_invoices"):
            pdfs |= self._get_invoice_attachments(reminder, missing)
        # Files the user removed in the sending dialog.
        skipped = context.get("dunning_skip_attachments")
        if skipped:
            pdfs = pdfs.filtered(lambda a: a.name not in skipped)
        return pdfs

    @api.model
    def _get_mail_template(self, reminder):
        reminder.ensure_one()
        default = (
            "account_dunning_automation.mail_template_dunning_notice"
            if reminder.is_notice
            else "account_dunning_automation.mail_template_dunning_reminder"
        )
        return reminder.level_id.mail_template_id or reminder.env.ref(
            default, raise_if_not_found=False
        )

    @api.model
    def _action_send_dialog(self, reminder):
        """Open the sending dialog (account.dunning.send): the level's
        channels, the email with every attachment it will carry; once the
        email is posted, the other channels of the level (letter, SMS, phone
        call) run too, like in the automatic sending. A level that sends no
        email is sent at once by its channels; a failed email is retried."""
        reminder.ensure_one()
        self._check_can_send(reminder)
        if reminder.send_state == "failed":
            self.env["account.dunning.delivery"]._retry_email(reminder)
            return True
        if not reminder.level_id.send_email and not reminder.level_id.manual_review:
            return self._send_one(reminder)
        self._check_sms_number(reminder)
        self._check_email_recipients(reminder)
        return {
            "type": "ir.actions.act_window",
            "name": reminder.env._("Send Reminder %(name)s", name=reminder.name),
            "view_mode": "form",
            "res_model": self._name,
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "active_model": reminder._name,
                "active_ids": reminder.ids,
            },
        }
