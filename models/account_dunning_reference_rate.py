# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import csv
import io
import logging
from datetime import date

import requests

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from ..dunning_engine import bounds as engine_bounds
from .dunning_numbers import check_finite_numbers

_logger = logging.getLogger(__name__)

# ECB Data Portal: rate of the main refinancing operations (fixed rate
# tenders), one observation per change of the rate (its effective date).
ECB_MRO_URL = "https://data-api.ecb.europa.eu/service/data/FM/D.U2.EUR.4F.KR.MRR_FR.LEV"
ECB_TIMEOUT = 30


class AccountDunningReferenceRate(models.Model):
    """Reference rate of late-payment interest for one half-year.

    French law (Code de commerce L441-10) and the EU late-payment directive
    2011/7/EU charge "the reference rate + N points", the reference rate being
    the ECB main refinancing operations rate in force on 1 January for the
    first half-year and on 1 July for the second. The module ships the known
    rates; administrators add each new half-year.
    """

    _name = "account.dunning.reference.rate"
    _description = "Late-Payment Reference Rate"
    _order = "date_from desc"
    _rec_name = "date_from"

    date_from = fields.Date(
        string="Half-Year Starting",
        required=True,
        help="1 January or 1 July: the rate applies to the days of that half-year.",
    )
    rate = fields.Float(
        string="Rate (%)",
        digits=(16, 4),
        required=True,
        help="ECB main refinancing operations rate in force on that date, in percent.",
    )
    note = fields.Char(help="Source of the rate or remark.")

    _sql_constraints = [
        (
            "date_from_unique",
            "unique(date_from)",
            "A half-year has one reference rate only.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        check_finite_numbers(self, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_finite_numbers(self, [vals])
        return super().write(vals)

    @api.constrains("date_from", "rate")
    def _check_half_year(self):
        for record in self:
            if (record.date_from.month, record.date_from.day) not in ((1, 1), (7, 1)):
                raise ValidationError(
                    self.env._(
                        "A reference rate starts a half-year: 1 January or 1 July, "
                        "not %(date)s.",
                        date=format_date(self.env, record.date_from),
                    )
                )
            if engine_bounds.check({"rate": (engine_bounds.SIGNED_RATE, record.rate)}):
                raise ValidationError(
                    self.env._(
                        "A reference rate must be between -%(max)s %% and %(max)s %% "
                        "(got %(rate)s %%).",
                        max=engine_bounds.MAX_RATE,
                        rate=record.rate,
                    )
                )

    @api.depends("date_from")
    def _compute_display_name(self):
        for record in self:
            if not record.date_from:
                record.display_name = False
                continue
            half = 1 if record.date_from.month == 1 else 2
            record.display_name = self.env._(
                "H%(half)s %(year)s", half=half, year=record.date_from.year
            )

    @api.model
    def _get_table(self):
        """All the rates as the engine expects them: ``{date: rate}``."""
        return {record.date_from: record.rate for record in self.sudo().search([])}

    # ------------------------------------------------------------------
    # Missing half-years
    # ------------------------------------------------------------------

    @api.model
    def _half_year_start(self, day):
        return date(day.year, 1 if day.month < 7 else 7, 1)

    @api.model
    def _next_half_year(self, start):
        return date(start.year, 7, 1) if start.month < 7 else date(start.year + 1, 1, 1)

    @api.model
    def _missing_half_year(self, day=None):
        """The start of the half-year of ``day`` (today) when it has no rate,
        else False."""
        start = self._half_year_start(day or fields.Date.context_today(self))
        if self.sudo().search_count([("date_from", "=", start)], limit=1):
            return False
        return start

    @api.model
    def _menu_path(self):
        """Where the rates are entered, as the user's menu shows it (Invoicing
        or Accounting app, the user's language)."""
        menu = self.env.ref(
            "account_dunning_automation.menu_account_dunning_reference_rate",
            raise_if_not_found=False,
        )
        if not menu:
            return self.env._("Reference Rates")
        return menu.sudo().complete_name.replace("/", " > ")

    @api.model
    def _missing_rate_warning(self, day=None):
        """Warning shown on the terms and the automations using the reference
        rate when the current half-year has no rate, else False."""
        start = self._missing_half_year(day)
        if not start:
            return False
        return self.env._(
            "No reference rate is recorded for the half-year starting on %(date)s: "
            "reminders charging interest at the reference rate cannot be issued. "
            "The rates are fetched daily from the European Central Bank; if it "
            "cannot be reached, enter the rate under %(menu)s.",
            date=format_date(self.env, start),
            menu=self._menu_path(),
        )

    # ------------------------------------------------------------------
    # Update from the ECB
    # ------------------------------------------------------------------

    @api.model
    def _ecb_fetch_mro_rates(self):
        """The provider: the ECB's main refinancing operations rate,
        ``{effective date: rate in percent}``, from the ECB Data Portal."""
        response = requests.get(
            ECB_MRO_URL,
            params={"format": "csvdata", "detail": "dataonly"},
            timeout=ECB_TIMEOUT,
        )
        response.raise_for_status()
        rates = {}
        for row in csv.DictReader(io.StringIO(response.text)):
            if row.get("OBS_VALUE") in (None, ""):
                continue
            rates[date.fromisoformat(row["TIME_PERIOD"][:10])] = float(row["OBS_VALUE"])
        if not rates:
            raise ValueError("the ECB answered without any rate")
        return rates

    @api.model
    def _update_from_ecb(self, today=None):
        """Record the rate of each half-year started since the last one
        recorded (up to the current one): the ECB rate in force on its first
        day. Returns the rates created; nothing is asked to the ECB when no
        half-year is missing."""
        today = today or fields.Date.context_today(self)
        current = self._half_year_start(today)
        known = set(self.sudo().search([("date_from", "!=", False)]).mapped("date_from"))
        # The half-years after the last one recorded, up to the current one.
        start = self._next_half_year(max(known)) if known else current
        missing = []
        while start <= current:
            if start not in known:
                missing.append(start)
            start = self._next_half_year(start)
        if current not in known and current not in missing:
            missing.append(current)
        if not missing:
            return self.browse()
        ecb_rates = self._ecb_fetch_mro_rates()
        values = []
        for start in sorted(missing):
            changes = [day for day in ecb_rates if day <= start]
            if not changes:
                continue
            values.append(
                {
                    "date_from": start,
                    "rate": ecb_rates[max(changes)],
                    "note": self.env._(
                        "ECB main refinancing operations rate in force on %(date)s "
                        "(fetched on %(today)s)",
                        date=format_date(self.env, start),
                        today=format_date(self.env, today),
                    ),
                }
            )
        return self.create(values)

    @api.model
    def _cron_update_from_ecb(self):
        """Cron: fetch the missing half-years. An unreachable or changed ECB
        service is logged and tried again the next day; meanwhile the rates
        can be entered by hand (the terms and automations show a warning)."""
        try:
            with self.env.cr.savepoint():
                created = self._update_from_ecb()
        except (requests.RequestException, ValueError, KeyError) as exc:
            _logger.warning("Reference rates not updated from the ECB: %s", exc)
            return False
        if created:
            _logger.info("Reference rates fetched from the ECB: %s", created.mapped("date_from"))
        return True

    def action_update_from_ecb(self):
        """Button of the rates list: fetch the missing half-years now. As the
        user (administrators of the reminders create rates), an error said."""
        self.check_access("create")
        try:
            created = self._update_from_ecb()
        except (requests.RequestException, ValueError, KeyError) as exc:
            raise UserError(
                self.env._(
                    "The reference rates could not be fetched from the European "
                    "Central Bank (%(error)s). Enter the rate of the half-year in "
                    "this list by hand.",
                    error=str(exc),
                )
            ) from exc
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Reference Rates"),
                "message": self.env._(
                    "%(count)s half-year rate(s) fetched from the European Central Bank.",
                    count=len(created),
                ),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
