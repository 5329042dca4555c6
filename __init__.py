from . import models
from . import report
from . import wizard


def post_init_hook(env):
    """The default plan of every company (the data file made it already at
    install; this covers a company whose chart was loaded meanwhile): it
    never creates a plan twice."""
    env["account.dunning.default.plan"]._setup_all()
