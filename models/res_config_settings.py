# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .account_dunning_automation import MAX_CRON_WORKERS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    dunning_term_id = fields.Many2one(
        related="company_id.dunning_term_id",
        readonly=False,
        domain="[('company_id', '=', company_id)]",
    )
    dunning_cron_workers = fields.Integer(
        string="Reminder Automation Workers",
        config_parameter="account_dunning_automation.cron_workers",
        default=1,
        groups="base.group_system",
        help="Number of scheduled workers that process the runs of the reminder "
        "automations together (1 to 4): each batch takes customers no other "
        "batch holds. More than one needs as many cron threads "
        "(max_cron_threads) or Odoo servers on the database.",
    )

    @api.constrains("dunning_cron_workers")
    def _check_dunning_cron_workers(self):
        for settings in self:
            if not 1 <= settings.dunning_cron_workers <= MAX_CRON_WORKERS:
                raise ValidationError(
                    self.env._(
                        "The reminder automation workers must be between 1 and %(max)s.",
                        max=MAX_CRON_WORKERS,
                    )
                )

    # ------------------------------------------------------------------
    # Minimum payment scores of the profiles (company settings)
    # ------------------------------------------------------------------

    dunning_profile_a_min = fields.Float(
        related="company_id.dunning_profile_a_min", readonly=False
    )
    dunning_profile_b_min = fields.Float(
        related="company_id.dunning_profile_b_min", readonly=False
    )
    dunning_profile_c_min = fields.Float(
        related="company_id.dunning_profile_c_min", readonly=False
    )
    dunning_profile_d_min = fields.Float(
        related="company_id.dunning_profile_d_min", readonly=False
    )
