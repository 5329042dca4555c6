# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import io
import re
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger
from odoo.tools.pdf import PdfFileReader

from .common import DunningCommon

LETTER = "account_dunning_automation.report_dunning_reminder"


def pdf_text(content):
    reader = PdfFileReader(io.BytesIO(content))
    return " ".join(
        re.sub(r"\s+", " ", reader.getPage(no).extractText() or "")
        for no in range(reader.getNumPages())
    )


@tagged("post_install", "-at_install")
class TestDunningLettersOneCall(DunningCommon, HttpCase):
    """The letters of a batch come from ONE PDF-engine call, on the unpatched
    wkhtmltopdf of the Linux distributions as on the patched build, and each
    letter holds only its own customer's pages (issue 23). The HTTP server of
    the test serves the report styles to wkhtmltopdf, as in production."""

    def test_letters_of_a_batch_in_one_call(self):
        Report = self.env["ir.actions.report"]
        if Report.get_wkhtmltopdf_state() == "install":
            self.skipTest("wkhtmltopdf is not installed")
        names = ["Alpha Bakery", "Beta Garage", "Gamma Florist"]
        partners = self.env["res.partner"].create(
            [{"name": name, "is_company": True, "email": f"{i}@example.com"}
             for i, name in enumerate(names)]
        )
        for partner in partners:
            self._invoice("2026-01-10", partner=partner)
        # The third customer has many invoices: a letter of several pages.
        for _ in range(45):
            self._invoice("2026-01-10", amount=10.0, partner=partners[2])
        with freeze_time("2026-01-11"):
            reminders = self._create(partners=partners)
            reminders.action_issue()
        self.assertEqual(len(reminders), 3)

        calls = []
        run = type(Report)._run_wkhtmltopdf

        def counting_run(report_self, bodies, *args, **kwargs):
            content = run(report_self, bodies, *args, **kwargs)
            calls.append((len(bodies), PdfFileReader(io.BytesIO(content)).getNumPages()))
            return content

        # Odoo warns that the unpatched build ignores the header and footer
        # switches: expected with Debian's wkhtmltopdf, not a failure.
        with patch.object(type(Report), "_run_wkhtmltopdf", counting_run), mute_logger(
            "odoo.addons.base.models.ir_actions_report"
        ):
            contents = Report.with_context(force_report_rendering=True)._dunning_render_split(
                LETTER, reminders.ids
            )
        # One call, with one HTML document for the three letters.
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls[0][0], 1)
        self.assertEqual(set(contents), set(reminders.ids))
        pages = {}
        for reminder in reminders:
            content, kind = contents[reminder.id]
            self.assertEqual(kind, "pdf")
            pages[reminder.partner_id.name] = PdfFileReader(io.BytesIO(content)).getNumPages()
            # The unpatched Qt draws the report's web fonts as shapes: the only
            # text read back is the record's marker, printed on its first page.
            # Each letter holds its own marker and no other letter's.
            markers = re.findall(r"DUNREC(\d+)X", pdf_text(content))
            self.assertEqual(markers, [str(reminder.id)])
        self.assertGreater(pages["Gamma Florist"], 1, "a letter of several pages stays whole")
        self.assertEqual(pages["Alpha Bakery"], 1)
        self.assertEqual(pages["Beta Garage"], 1)
        # Every page of the document went to one letter.
        self.assertEqual(sum(pages.values()), calls[0][1])
