# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


LETTER_REPORT_NAME = "account_dunning_automation.report_dunning_reminder"


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _dunning_render_split(self, report_ref, res_ids):
        """Render ``report_ref`` for many records in one PDF-engine call and
        split the result per record (Odoo splits by pages or outlines);
        records the split could not isolate are rendered alone. Returns
        ``{res_id: (content, format)}``; the format is "html" in tests, where
        Odoo renders no PDF."""
        if not res_ids:
            return {}
        result = {}
        if len(res_ids) > 1:
            content, report_type = self._pre_render_qweb_pdf(report_ref, res_ids=res_ids)
            if report_type == "pdf":
                result = {
                    res_id: (stream["stream"].getvalue(), "pdf")
                    for res_id, stream in content.items()
                    if res_id and stream.get("stream")
                }
                for stream in content.values():
                    if stream.get("stream"):
                        stream["stream"].close()
            else:
                result = {
                    res_id: (body, report_type)
                    for res_id, body in self._get_splitted_report(
                        report_ref, content, report_type
                    ).items()
                    if res_id
                }
        for res_id in res_ids:
            if res_id not in result:
                result[res_id] = self.with_context(
                    dunning_render_to_send=True
                )._render_qweb_pdf(report_ref, [res_id])
        return result

    def _render_qweb_pdf(self, report_ref, res_ids=None, data=None):
        # A letter of an automation batch was rendered with the others of the
        # batch: reuse it for every channel (email attachment, letter).
        cache = self.env.context.get("dunning_pdf_cache")
        if cache and not data and res_ids and len(res_ids) == 1:
            report = self._get_report(report_ref)
            res_id = res_ids[0] if isinstance(res_ids, list | tuple) else res_ids
            if (report.id, res_id) in cache:
                return cache[(report.id, res_id)]
        result = super()._render_qweb_pdf(report_ref, res_ids=res_ids, data=data)
        # A reminder letter produced for a user (the "Print Letter" button or
        # the Print menu both download it through this method) counts a send;
        # letters rendered to be emailed or attached by the sending do not,
        # and neither does opening the layout dialog before printing.
        if res_ids and not self.env.context.get("dunning_render_to_send"):
            report = self._get_report(report_ref)
            if report.report_name == LETTER_REPORT_NAME:
                ids = [res_ids] if isinstance(res_ids, int) else list(res_ids)
                self.env[report.model].browse(ids).exists()._dunning_letter_printed()
        return result
