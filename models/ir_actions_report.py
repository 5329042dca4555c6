# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import io
import logging
import re

import lxml.html

from odoo import models
from odoo.tools import config
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

_logger = logging.getLogger(__name__)

# A text printed at the top of each record's pages when the records of a batch
# are rendered as ONE HTML document: the PDF is split back per record by it.
_MARKER = "DUNREC%dX"
_MARKER_STYLE = (
    "color:#fefefe;font-size:4px;line-height:4px;height:4px;font-family:monospace !important;"
)
_MARKER_RE = re.compile(r"DUNREC(\d+)X")


def _one_document(bodies, res_ids):
    """One HTML document holding the bodies of several records, each starting
    on a new page and with its marker. wkhtmltopdf given several input files
    in one call fails with the unpatched Qt of the Linux distributions (Debian's
    0.12.6: "Exit with code 1, due to unknown error"), which is why Odoo's
    multi-record rendering returns nothing there; one document with page
    breaks renders in one call on every build."""
    documents = [lxml.html.document_fromstring(body) for body in bodies]
    main = documents[0]
    main_body = main.find("body")
    for index, (document, res_id) in enumerate(zip(documents, res_ids, strict=True)):
        body = document.find("body")
        # Nearly invisible, but a text of the page that the PDF reader finds:
        # in a system font, since the unpatched Qt draws the report's web
        # fonts as shapes, without text to read back.
        marker = lxml.html.fragment_fromstring(
            '<div style="%s">%s</div>' % (_MARKER_STYLE, _MARKER % res_id)
        )
        if index == 0:
            main_body.insert(0, marker)
            continue
        main_body.append(
            lxml.html.fragment_fromstring('<div style="page-break-before:always;"></div>')
        )
        main_body.append(marker)
        for child in list(body):
            main_body.append(child)
    return lxml.html.tostring(main, encoding="unicode", doctype="<!DOCTYPE html>")


def _split_by_markers(pdf_content, res_ids):
    """``{res_id: pdf bytes}``: the pages from a record's marker to the next
    record's. Records whose marker was not found are left out (rendered alone
    by the caller)."""
    reader = PdfFileReader(io.BytesIO(pdf_content))
    owners = []
    current = None
    wanted = set(res_ids)
    for page_no in range(reader.getNumPages()):
        text = re.sub(r"\s+", "", reader.getPage(page_no).extractText() or "")
        found = [int(m) for m in _MARKER_RE.findall(text) if int(m) in wanted]
        if found:
            current = found[0]
        owners.append(current)
    result = {}
    for res_id in res_ids:
        pages = [no for no, owner in enumerate(owners) if owner == res_id]
        if not pages:
            continue
        writer = PdfFileWriter()
        for no in pages:
            writer.addPage(reader.getPage(no))
        stream = io.BytesIO()
        writer.write(stream)
        result[res_id] = stream.getvalue()
    return result


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
        if len(res_ids) > 1 and report.report_type == "qweb-pdf" and not html_only:
            result = {
                res_id: (content, "pdf")
                for res_id, content in self._dunning_render_one_call(report, res_ids).items()
            }
        elif len(res_ids) > 1:
            content, report_type = self._pre_render_qweb_pdf(report_ref, res_ids=res_ids)
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

    def _dunning_render_one_call(self, report, res_ids):
        """The PDFs of ``res_ids`` from ONE wkhtmltopdf call, on the patched
        and the unpatched builds alike: their HTML in one document with page
        breaks, split back per record by the marker printed on its first
        page. ``{res_id: pdf bytes}``; a record missing from it (its marker
        not found) is rendered alone by the caller."""
        if self.get_wkhtmltopdf_state() == "install":
            return {}
        # As Odoo does before calling wkhtmltopdf: the assets in one bundle.
        report_ctx = self.with_context(debug=False)
        html = report_ctx._render_qweb_html(report, res_ids)[0]
        bodies, html_ids, header, footer, paper_args = report.with_context(
            debug=False
        )._prepare_html(html, report_model=report.model)
        if len(bodies) != len(html_ids) or set(html_ids) != set(res_ids):
            # A template whose records cannot be told apart: one by one.
            return {}
        pdf_content = report_ctx._run_wkhtmltopdf(
            [_one_document(bodies, html_ids)],
            report_ref=report,
            header=header,
            footer=footer,
            landscape=self.env.context.get("landscape"),
            specific_paperformat_args=paper_args,
            set_viewport_size=self.env.context.get("set_viewport_size"),
        )
        return _split_by_markers(pdf_content, html_ids)

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
                printed = self.env[report.model].browse(ids).exists()
                self.env["account.dunning.delivery"]._dunning_letter_printed(printed)
        return result
