# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
from collections import defaultdict

from odoo import fields, models

_logger = logging.getLogger(__name__)

LETTER_REPORT = "account_dunning_automation.action_report_dunning_reminder"
INVOICE_REPORT = "account.account_invoices"


class AccountDunningReminder(models.Model):
    """Sending many reminders at once (automation batches): every PDF rendered
    once, in as few PDF-engine calls as possible, and the emails of a batch
    rendered together."""

    _inherit = "account.dunning.reminder"

    # ------------------------------------------------------------------
    # Issue
    # ------------------------------------------------------------------

    def _dunning_issue_prefetch(self):
        """What the checks of issuing read for each reminder, read once for
        all the reminders ``self`` (a batch): the customers' open items (new
        credits), the date of their last reminder (quiet period) and their
        open promises to pay. Keys: (company id, commercial partner id).
        Passed in the context (``dunning_issue_prefetch``) to the checks,
        which search themselves without it (one reminder)."""
        today = fields.Date.context_today(self)
        data = {"open_lines": {}, "last_issue": {}, "promise": {}}
        for company, reminders in self.grouped("company_id").items():
            partners = reminders.partner_id.commercial_partner_id
            open_lines = self._dunning_open_lines(company, partners)
            for line in open_lines:
                key = (company.id, line.partner_id.commercial_partner_id.id)
                data["open_lines"].setdefault(key, []).append(line.id)
            for partner, last in self._read_group(
                [
                    ("partner_id", "in", reminders.partner_id.ids),
                    ("company_id", "=", company.id),
                    ("state", "in", ("issued", "sent")),
                    ("issue_date", "!=", False),
                    ("is_notice", "=", False),
                    ("id", "not in", self.ids),
                ],
                ["partner_id"],
                ["issue_date:max"],
            ):
                data["last_issue"][(company.id, partner.id)] = last
            promises = self.env["account.dunning.promise"]._dunning_open_promises(
                company, today, partners
            )
            for promise in promises:
                key = (company.id, promise.partner_id.commercial_partner_id.id)
                data["promise"].setdefault(key, promise.id)
        return data

    def _dunning_prefetched(self, kind):
        """The value of ``kind`` read by _dunning_issue_prefetch for this
        reminder; None without prefetch (then the caller searches)."""
        self.ensure_one()
        data = self.env.context.get("dunning_issue_prefetch")
        if data is None:
            return None
        # The last reminder of the partner itself (as the search without
        # prefetch), the items and promises of its commercial entity.
        partner = self.partner_id
        if kind != "last_issue":
            partner = partner.commercial_partner_id
        return data[kind].get((self.company_id.id, partner.id), False)

    # ------------------------------------------------------------------
    # PDFs
    # ------------------------------------------------------------------

    def _dunning_prerender_pdfs(self):
        """Render, for the reminders ``self``, the letters their channels
        need (sent by post, or attached to the email by the template) in one
        PDF-engine call, and the missing invoice PDFs in another one (kept on
        the invoices). Returns the cache of the letters, ``{(report id,
        reminder id): (content, format)}``, that ir.actions.report reads
        when the context carries it (``dunning_pdf_cache``)."""
        cache = {}
        letter_report = self.env.ref(LETTER_REPORT, raise_if_not_found=False)
        if letter_report:
            # Posted letters, and emails attaching the letter.
            need_letter = self.filtered(
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
        emailed = self.filtered(lambda r: r.level_id.send_email)
        invoices = emailed._get_invoices_to_attach()
        try:
            with self.env.cr.savepoint():
                invoices._dunning_store_invoice_pdfs()
        except Exception:  # pylint: disable=broad-except
            _logger.info("Rendering the invoices of a batch failed", exc_info=True)
        return cache

    def _get_invoices_to_attach(self):
        """Invoices whose PDF the emails of the reminders attach, as their
        level says (none, the overdue ones, all of them)."""
        moves = self.env["account.move"]
        for reminder in self:
            mode = reminder.level_id.attach_invoices or "none"
            if mode == "none":
                continue
            lines = reminder.line_ids
            if mode == "overdue":
                lines = lines.filtered(lambda l: l.line_type == "overdue")
            moves |= lines.move_id
        return moves.filtered(lambda m: m.is_invoice(include_receipts=True))

    # ------------------------------------------------------------------
    # Emails
    # ------------------------------------------------------------------

    def _dunning_send_email(self, composer_context):
        """Email the reminder with the composer in ``composer_context``. In
        an automation batch (``dunning_email_queue`` in the context) the email
        is only queued here and sent with the others of its template by
        _dunning_send_queued_emails."""
        self.ensure_one()
        queue = self.env.context.get("dunning_email_queue")
        if queue is not None:
            queue.append((self.id, composer_context))
            return
        # One reminder: sent right away, as Odoo's composer does for one record.
        self.env["mail.compose.message"].with_context(**composer_context).create(
            {}
        )._action_send_mail()

    def _dunning_send_queued_emails(self, queue):
        """One composer per template (and composer options) for all the
        reminders queued: Odoo renders the template for all of them at once
        and posts one message per reminder, its mails queued."""
        groups = defaultdict(list)
        contexts = {}
        for reminder_id, context in queue:
            key = repr(sorted((k, v) for k, v in context.items() if k != "default_res_ids"))
            groups[key].append(reminder_id)
            contexts[key] = context
        composer_model = self.env["mail.compose.message"].with_context(
            dunning_email_queue=None
        )
        for key, res_ids in groups.items():
            composer_model.with_context(
                **dict(contexts[key], default_res_ids=res_ids)
            ).create({"force_send": False})._action_send_mail()
        if queue:
            # Queued like every batch of Odoo's composer: the mail queue sends
            # them in its own transactions, and each reminder follows the
            # delivery of its email (mail.mail hook); sooner than its schedule.
            cron = self.env.ref("mail.ir_cron_mail_scheduler_action", raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger()
