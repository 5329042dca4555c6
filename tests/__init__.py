from . import test_dunning_term
from . import test_dunning_reminder
from . import test_dunning_automation
from . import test_dunning_credits
from . import test_dunning_lifecycle
from . import test_dunning_multicompany
from . import test_dunning_rules
from . import test_dunning_letter
