from . import account_dunning_create_wizard
from . import account_dunning_forecast
