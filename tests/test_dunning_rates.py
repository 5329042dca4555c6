# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from datetime import date
from unittest.mock import MagicMock, patch

import requests
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import DunningCommon

RATE_LOGGER = "odoo.addons.account_dunning_automation.models.account_dunning_reference_rate"

GET = (
    "odoo.addons.account_dunning_automation.models.account_dunning_reference_rate"
    ".requests.get"
)

# What the ECB Data Portal answers (csvdata, dataonly): one row per change.
ECB_CSV = "\n".join(
    [
        "KEY,FREQ,REF_AREA,CURRENCY,PROVIDER_FM,INSTRUMENT_FM,PROVIDER_FM_ID,"
        "DATA_TYPE_FM,TIME_PERIOD,OBS_VALUE",
        "FM.D.U2.EUR.4F.KR.MRR_FR.LEV,D,U2,EUR,4F,KR,MRR_FR,LEV,2025-06-11,2.15",
        "FM.D.U2.EUR.4F.KR.MRR_FR.LEV,D,U2,EUR,4F,KR,MRR_FR,LEV,2026-04-22,2.4",
        "FM.D.U2.EUR.4F.KR.MRR_FR.LEV,D,U2,EUR,4F,KR,MRR_FR,LEV,2026-07-08,2.65",
    ]
)


def _answer(text=ECB_CSV, status=200):
    response = MagicMock(text=text, status_code=status)
    response.raise_for_status.side_effect = (
        requests.HTTPError(f"{status} Server Error") if status >= 400 else None
    )
    return response


@tagged("post_install", "-at_install")
class TestDunningReferenceRateUpdate(DunningCommon):
    """The ECB reference rates kept current by a cron (the provider's HTTP
    call mocked), a manual fallback, a warning when the current half-year
    is missing (issue 21)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rate = cls.env["account.dunning.reference.rate"]
        cls.Rate.search([("date_from", ">", "2026-01-01")]).unlink()
        # Terms charging interest need their account (refused when saved, issue 19).
        cls.term.write(
            {
                "interest_account_id": cls.company_data["default_account_revenue"].id,
                "indemnity_account_id": cls.company_data["default_account_revenue"].id,
                "journal_id": cls.company_data["default_journal_misc"].id,
            }
        )
        cls.level_4.write({"interest_rate_type": "reference", "interest_margin": 10.0})
        cls.manager = new_test_user(
            cls.env,
            login="rate_manager",
            groups="account.group_account_manager,account_dunning_automation.group_dunning_manager",
        )
        cls.clerk = new_test_user(
            cls.env, login="rate_clerk", groups="account.group_account_invoice"
        )

    def test_cron_fetches_the_missing_half_year_once(self):
        with freeze_time("2026-12-02"):
            self.assertTrue(self.term.reference_rate_warning)
            with patch(GET, return_value=_answer()) as get:
                self.Rate._cron_update_from_ecb()
                self.assertEqual(get.call_count, 1)
                self.assertIn("data-api.ecb.europa.eu", get.call_args.args[0])
                # The same day again: nothing missing, no call, nothing added.
                self.Rate._cron_update_from_ecb()
                self.assertEqual(get.call_count, 1)
            self.term.invalidate_recordset(["reference_rate_warning"])
            self.assertFalse(self.term.reference_rate_warning)
        rate = self.Rate.search([("date_from", "=", "2026-07-01")])
        # The rate in force on 1 July: the change of 22 April (not 8 July).
        self.assertEqual(rate.rate, 2.4)
        self.assertEqual(self.Rate.search_count([("date_from", ">", "2026-01-01")]), 1)

    def test_cron_catches_up_several_half_years(self):
        with freeze_time("2027-02-01"), patch(GET, return_value=_answer()):
            self.Rate._cron_update_from_ecb()
        rates = self.Rate.search([("date_from", ">", "2026-01-01")], order="date_from")
        self.assertEqual(
            [(r.date_from, r.rate) for r in rates],
            [(date(2026, 7, 1), 2.4), (date(2027, 1, 1), 2.65)],
        )

    def test_unreachable_ecb_warns_and_the_rate_is_entered_by_hand(self):
        with freeze_time("2026-12-02"):
            with patch(GET, side_effect=requests.ConnectionError("timeout")):
                # The cron logs and goes on; nothing is created.
                with self.assertLogs(RATE_LOGGER, "WARNING"):
                    self.assertFalse(self.Rate._cron_update_from_ecb())
                with self.assertRaisesRegex(UserError, "Enter the rate of the half-year"):
                    self.Rate.with_user(self.manager).action_update_from_ecb()
            with patch(GET, return_value=_answer(status=503)), self.assertLogs(
                RATE_LOGGER, "WARNING"
            ):
                self.assertFalse(self.Rate._cron_update_from_ecb())
            warning = self.term.reference_rate_warning
            menu = self.env.ref("account_dunning_automation.menu_account_dunning_reference_rate")
            self.assertIn("01/07/2026", warning.replace("07/01/2026", "01/07/2026"))
            self.assertIn(menu.complete_name.replace("/", " > "), warning)
            self.assertIn("Payment Reminders > Reference Rates", warning)
            automation = self._daily_automation("2026-12-02")
            self.assertEqual(automation.reference_rate_warning, warning)
            # The billing clerk may not fetch (nor enter) rates.
            with patch(GET, return_value=_answer()), self.assertRaises(AccessError):
                self.Rate.with_user(self.clerk).action_update_from_ecb()
            # The manual fallback: the administrator enters the rate.
            self.Rate.with_user(self.manager).create({"date_from": "2026-07-01", "rate": 2.4})
            self.term.invalidate_recordset(["reference_rate_warning"])
            self.assertFalse(self.term.reference_rate_warning)

    def test_preset_warns_when_the_current_half_year_is_missing(self):
        with freeze_time("2026-12-02"):
            wizard = (
                self.env["account.dunning.charges.preset"]
                .with_user(self.manager)
                .with_context(default_term_id=self.term.id)
                .create({"preset": "fr", "level_id": self.level_2.id})
            )
            action = wizard.action_apply()
            self.assertEqual(action["params"]["type"], "warning")
            self.assertIn("Reference Rates", action["params"]["message"])
            self.Rate.create({"date_from": "2026-07-01", "rate": 2.4})
            action = wizard.action_apply()
            self.assertEqual(action["type"], "ir.actions.act_window_close")

    def test_missing_rate_error_names_the_menu_in_the_user_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["account", "account_dunning_automation"], ["fr_FR"], overwrite=True
        )
        level = self.level_4.with_context(lang="fr_FR")
        with self.assertRaises(UserError) as caught:
            level._compute_late_interest(
                1000.0, date(2026, 9, 2), date(2026, 12, 2), [], self.env.company.currency_id
            )
        message = caught.exception.args[0]
        self.assertIn("Aucun taux de référence", message)
        menu = self.env.ref(
            "account_dunning_automation.menu_account_dunning_reference_rate"
        ).with_context(lang="fr_FR")
        self.assertIn(menu.complete_name.replace("/", " > "), message)
        self.assertNotIn("Accounting > Configuration", message)
