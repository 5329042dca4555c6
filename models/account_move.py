# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import uuid

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# Who may read the dunning fields of invoices, journal items and customers:
# salesmen, purchase users and plain internal users open those records too,
# and must never meet the module's fields nor its access rules.
DUNNING_READ_GROUPS = "account.group_account_invoice,account.group_account_readonly"


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_term_id = fields.Many2one(
        "account.dunning.term",
        string="Reminder Terms",
        check_company=True,
        copy=False,
        tracking=True,
        groups=DUNNING_READ_GROUPS,
        help="Overrides the reminder terms of the customer for this invoice.",
    )
    dunning_blocked = fields.Boolean(
        string="No Reminders",
        copy=False,
        tracking=True,
        groups=DUNNING_READ_GROUPS,
        help="Exclude this invoice from payment reminders (e.g. disputed).",
    )
    dunning_block_reason = fields.Char(
        string="Reason for No Reminders",
        copy=False,
        tracking=True,
        groups=DUNNING_READ_GROUPS,
    )
    dunning_charge_reminder_id = fields.Many2one(
        "account.dunning.reminder",
        string="Charges of Reminder",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups=DUNNING_READ_GROUPS,
        help="Reminder whose fees and interest this entry posted: the next "
        "reminders list it as charges not yet paid, never escalate it.",
    )
    dunning_level_number = fields.Integer(
        string="Reminder Level",
        compute="_compute_dunning_info",
        compute_sudo=True,
        groups=DUNNING_READ_GROUPS,
        help="Highest reminder level issued for this invoice.",
    )
    dunning_last_date = fields.Date(
        string="Last Reminder",
        compute="_compute_dunning_info",
        compute_sudo=True,
        groups=DUNNING_READ_GROUPS,
    )
    dunning_reminder_line_ids = fields.One2many(
        "account.dunning.reminder.line",
        "move_id",
        string="Reminder Lines",
        groups=DUNNING_READ_GROUPS,
    )
    dunning_reminder_count = fields.Integer(
        string="Reminders",
        compute="_compute_dunning_info",
        # Counted as superuser: the count shows to every user who may read
        # the field, whatever the record rules on reminder lines.
        compute_sudo=True,
        groups=DUNNING_READ_GROUPS,
    )

    @api.depends(
        "line_ids.dunning_level_number",
        "line_ids.dunning_last_date",
        "dunning_reminder_line_ids",
    )
    def _compute_dunning_info(self):
        for move in self:
            receivable = move.line_ids.filtered(
                lambda line: line.account_type == "asset_receivable"
            )
            move.dunning_level_number = max(
                receivable.mapped("dunning_level_number") or [0]
            )
            dates = [d for d in receivable.mapped("dunning_last_date") if d]
            move.dunning_last_date = max(dates) if dates else False
            move.dunning_reminder_count = len(
                move.dunning_reminder_line_ids.reminder_id.filtered(
                    lambda reminder: reminder.state != "cancel"
                )
            )

    def write(self, vals):
        if "dunning_charge_reminder_id" in vals and not self.env.su:
            # Set by the reminder that posts the entry, as superuser: an entry
            # marked by hand would never be dunned.
            raise UserError(
                self.env._("Only a reminder marks the entry of its charges.")
            )
        self.env["account.move.line"]._dunning_check_user_fields(
            vals, ("dunning_term_id", "dunning_blocked", "dunning_block_reason")
        )
        return super().write(vals)

    def _dunning_ensure_access_tokens(self):
        """Give the invoices that have none their portal access token (the
        pay-online links of the reminders), all in one query. Odoo writes a
        token on the first link of each invoice, and each such write runs the
        synchronisation of the invoice (taxes, payment terms): most of the
        time of sending a batch of reminders."""
        missing = self.filtered(lambda m: not m.access_token)
        if not missing:
            return
        missing.flush_recordset(["access_token"])
        self.env.cr.execute(
            SQL(
                "UPDATE account_move SET access_token = v.token "
                "FROM (VALUES %s) AS v(id, token) "
                "WHERE account_move.id = v.id AND account_move.access_token IS NULL",
                SQL(", ").join(
                    SQL("(%s, %s)", move.id, str(uuid.uuid4()))
                    for move in missing
                ),
            )
        )
        missing.invalidate_recordset(["access_token"])
        missing.fetch(["access_token"])

    def action_view_dunning_reminders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning_automation.action_account_dunning_reminder"
        )
        action["domain"] = [("line_ids.move_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def _dunning_store_invoice_pdfs(self):
        """Render the PDF of the invoices that have none yet, all in one
        PDF-engine call per report, and keep it on the invoice the way
        account does when an invoice is sent (invoice_pdf_report_file): an
        invoice is rendered once in its life, every later reminder reuses it.
        Returns the PDFs of all the invoices."""
        missing = self.filtered(
            lambda m: m.state == "posted" and not m.invoice_pdf_report_id
        )
        if missing:
            send_model = self.env["account.move.send"]
            by_report = missing.grouped(send_model._get_default_pdf_report_id)
            values = []
            for report, invoices in by_report.items():
                contents = self.env["ir.actions.report"].with_company(
                    invoices.company_id[:1]
                )._dunning_render_split(report, invoices.ids)
                values += [
                    {
                        "name": invoice._get_invoice_report_filename(),
                        "raw": contents[invoice.id][0],
                        "mimetype": "application/pdf",
                        "res_model": invoice._name,
                        "res_id": invoice.id,
                        "res_field": "invoice_pdf_report_file",
                    }
                    for invoice in invoices
                ]
            self.env["ir.attachment"].create(values)
            missing.invalidate_recordset(
                fnames=["invoice_pdf_report_id", "invoice_pdf_report_file"]
            )
        return self.invoice_pdf_report_id

    # ------------------------------------------------------------------
    # Next reminder of the invoice (from the forecast of its customer)
    # ------------------------------------------------------------------

    dunning_next_reminder_date = fields.Date(
        string="Next Reminder On",
        compute="_compute_dunning_next_reminder",
        compute_sudo=True,
        groups=DUNNING_READ_GROUPS,
        help="Date of the next reminder the scheduled automations will send "
        "for this invoice in the next 30 days if nothing is paid, from the "
        "levels of its reminder terms. Empty when none is planned.",
    )
    dunning_next_reminder_level_id = fields.Many2one(
        "account.dunning.level",
        string="Next Reminder Level",
        compute="_compute_dunning_next_reminder",
        compute_sudo=True,
        groups=DUNNING_READ_GROUPS,
        help="Level of that reminder: the highest level its invoices reach.",
    )

    @api.depends_context("company")
    def _compute_dunning_next_reminder(self):
        forecast = self.env["account.dunning.forecast"]
        level_model = self.env["account.dunning.level"]
        for move in self:
            day, level = False, level_model
            receivable = move.line_ids.filtered(
                lambda l: l.account_type == "asset_receivable" and not l.reconciled
            )
            if (
                move.id
                and move.state == "posted"
                and move.is_sale_document(include_receipts=True)
                and receivable
                and not move.dunning_blocked
            ):
                contacts = forecast._compute_contacts(
                    move.company_id, move.partner_id.commercial_partner_id
                )
                for contact in contacts:
                    if set(receivable.ids) & set(contact.items):
                        day, level = contact.date, level_model.browse(contact.level_key)
                        break
            move.dunning_next_reminder_date = day
            move.dunning_next_reminder_level_id = level
