# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, models, tools
from odoo.tools import SQL


class AccountDunningReportMixin(models.AbstractModel):
    """Reports on database views whose ratio measures (DSO, rates, CEI,
    shares) are computed by the engine from the summed components of each
    group: a ratio of sums, never a sum (or average) of ratios."""

    _name = "account.dunning.report.mixin"
    _description = "Collection Report Ratios"

    # ratio field -> (engine function, component fields, in argument order)
    _dunning_ratios = {}

    @api.model
    def _dunning_today_sql(self):
        """Today as Odoo sees it (UTC date), inside the views."""
        return SQL("(now() AT TIME ZONE 'UTC')::date")

    @api.model
    def _dunning_create_view(self, query):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), query)
        )

    @api.model
    def read_group(
        self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True
    ):
        names = {spec.split(":")[0].split("(")[0] for spec in fields}
        ratios = {name: spec for name, spec in self._dunning_ratios.items() if name in names}
        extra = [
            f"{component}:sum"
            for _function, components in ratios.values()
            for component in components
            if component not in names
        ]
        rows = super().read_group(
            domain, list(fields) + list(dict.fromkeys(extra)), groupby,
            offset=offset, limit=limit, orderby=orderby, lazy=lazy,
        )
        for row in rows:
            for name, (function, components) in ratios.items():
                row[name] = float(function(*(row.get(c) or 0.0 for c in components)))
        return rows

    @api.model
    def _dunning_group_ratios(self, domain=None):
        """The ratio measures over every record of ``domain`` (one group)."""
        rows = self.read_group(domain or [], list(self._dunning_ratios), [])
        return {name: rows[0][name] if rows else 0.0 for name in self._dunning_ratios}
