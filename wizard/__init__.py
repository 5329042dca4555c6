from . import account_dunning_create_wizard
from . import account_dunning_charges_preset
from . import account_dunning_forecast
from . import account_dunning_send
from . import account_dunning_automation_start_wizard
from . import account_dunning_line_exclude_wizard
from . import mail_compose_message
