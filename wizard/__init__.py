from . import account_dunning_create_wizard
