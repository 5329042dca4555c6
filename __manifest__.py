# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Dunning Automation (Payment Reminders)",
    "summary": "Reminder terms and levels, reminder documents (draft, issued, sent) "
    "for overdue customer invoices",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/account-dunning-automation/account_dunning_automation",
    "author": "account_dunning_automation contributors",
    "license": "LGPL-3",
    "depends": ["account", "mail", "sms", "base_automation"],
    "data": [
        "security/account_dunning_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "report/account_dunning_reminder_report.xml",
        "data/mail_template_data.xml",
        "data/ir_cron_data.xml",
        "data/sms_template_data.xml",
        "views/account_dunning_level_views.xml",
        "views/account_dunning_term_views.xml",
        "views/account_dunning_reminder_views.xml",
        "views/res_partner_views.xml",
        "views/account_move_views.xml",
        "views/res_config_settings_views.xml",
        "views/account_dunning_automation_views.xml",
        "views/ir_actions_server_views.xml",
        "views/base_automation_views.xml",
        "wizard/account_dunning_create_wizard_views.xml",
        "views/account_dunning_menus.xml",
    ],
    "demo": [
        "demo/account_dunning_demo.xml",
    ],
}
