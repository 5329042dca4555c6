from . import account_dunning_reminder_report
