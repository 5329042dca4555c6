# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import models


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
                result[res_id] = self._render_qweb_pdf(report_ref, [res_id])
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
        return super()._render_qweb_pdf(report_ref, res_ids=res_ids, data=data)
