# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
import subprocess

from odoo import models
from odoo.tools import config
from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

_logger = logging.getLogger(__name__)

# Whether the PDF engine is wkhtmltopdf built with its patched Qt, read once.
_WKHTMLTOPDF_PATCHED = []


def _wkhtmltopdf_patched():
    """True when wkhtmltopdf is the build "with patched qt": only that one
    prints many documents in one call reliably (outlines to split them,
    headers and footers). The unpatched build of Linux distributions fails
    or returns an empty file on a batch of letters (seen with Debian's
    0.12.6), after having spent the time of the whole batch."""
    if not _WKHTMLTOPDF_PATCHED:
        try:
            out = subprocess.run(
                [_get_wkhtmltopdf_bin(), "--version"],
                capture_output=True,
                timeout=30,
                check=False,
            ).stdout
            _WKHTMLTOPDF_PATCHED.append(b"patched qt" in out.lower())
        except (OSError, subprocess.SubprocessError, TypeError):
            _WKHTMLTOPDF_PATCHED.append(False)
        if not _WKHTMLTOPDF_PATCHED[0]:
            _logger.info(
                "wkhtmltopdf without patched Qt: reminder letters and invoices "
                "are rendered one per PDF-engine call"
            )
    return _WKHTMLTOPDF_PATCHED[0]


LETTER_REPORT_NAME = "account_dunning_automation.report_dunning_reminder"


def letter_ids_of_print_action(env, data):
    """Ids of the reminders of the "Print Letter" action's download: with
    data, the web client puts them in the action's context (active_ids), not
    in the URL."""
    if not data or not data.get("dunning_print_letter"):
        return []
    context = data.get("context") or env.context
    return [int(i) for i in (context.get("active_ids") or [])]


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
        report = self._get_report(report_ref)
        # One call for many records only where it works (see
        # _wkhtmltopdf_patched); in tests Odoo renders HTML (see
        # _pre_render_qweb_pdf), split per record.
        html_only = (
            config["test_enable"] or config["test_file"]
        ) and not self.env.context.get("force_report_rendering")
        bulk = len(res_ids) > 1 and (
            report.report_type != "qweb-pdf" or html_only or _wkhtmltopdf_patched()
        )
        if bulk:
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
        # A reminder letter downloaded from the "Print Letter" button counts a
        # send: its action carries dunning_print_letter in its data, which the
        # web client's download passes on to this method with the action's
        # context (its active_ids), also after the layout dialog. Any other
        # rendering of the letter (a mail template attaching it, the Print
        # menu, the sending) counts nothing.
        ids = res_ids or letter_ids_of_print_action(self.env, data)
        if (
            ids
            and data
            and data.get("dunning_print_letter")
            and not self.env.context.get("dunning_render_to_send")
        ):
            report = self._get_report(report_ref)
            if report.report_name == LETTER_REPORT_NAME:
                ids = [ids] if isinstance(ids, int) else list(ids)
                self.env[report.model].browse(ids).exists()._dunning_letter_printed()
        return result
