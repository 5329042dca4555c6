"""Benchmark of the collection insight at 10,000 invoices: the dashboard
queries (SQL views read through read_group), the nightly payment score and
the forecast of the next contacts.

Run through scripts/benchmark_insight.sh, which prepares a database with the
module installed:

    scripts/benchmark_insight.sh [customers=1000] [invoices-per-customer=10]

Everything the benchmark creates is rolled back at the end.
"""

import argparse
import time
from datetime import date, timedelta

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.tools import config

# Goals on the reference machine (2 cores) up to 10,000 invoices, scaled
# linearly above: the dashboard must stay interactive, the score cron must
# fit easily in the night. Measured on 2026-11-25 at 2,000 invoices on a
# machine shared with four other test runs (load 10): 0.30s, 0.19s, 0.39s,
# 0.03s, 3.9s and 0.4s.
GOALS = {
    "dashboard: aging by customer": 2.0,
    "dashboard: DSO and overdue rate per manager": 2.0,
    "dashboard: CEI per month": 3.0,
    "dashboard: effectiveness per level and month": 2.0,
    "score cron (all customers)": 30.0,
    "forecast (company, 30 days)": 30.0,
}


def make_data(env, customers, per_customer, today):
    """Customers with invoices spread over the last 12 months, two thirds of
    them paid (one payment per customer and payment date)."""
    company = env.company
    term = env["account.dunning.term"].create(
        {
            "name": "Benchmark",
            "company_id": company.id,
            "level_ids": [
                Command.create({"name": name, "sequence": seq, "delay_days": delay})
                for seq, (name, delay) in enumerate(
                    [("Info", 1), ("Reminder", 7), ("Firm", 14), ("Notice", 30)], 1
                )
            ],
        }
    )
    company.dunning_term_id = term
    managers = env["res.users"].create(
        [{"name": f"Manager {i}", "login": f"bench_manager_{i}"} for i in range(5)]
    )
    partners = env["res.partner"].create(
        [
            {"name": f"Insight customer {i}", "is_company": True, "email": f"i{i}@example.com"}
            for i in range(customers)
        ]
    )
    for index, manager in enumerate(managers):
        partners[index::len(managers)].write({"dunning_responsible_id": manager.id})
    account = env["account.account"].search(
        [("company_ids", "in", company.id), ("account_type", "=", "income")], limit=1
    )
    journal = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
    )
    step = max(1, 360 // per_customer)
    vals_list = [
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "journal_id": journal.id,
            "invoice_date": today - timedelta(days=10 + k * step),
            "invoice_date_due": today - timedelta(days=k * step),
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Service",
                        "quantity": 1,
                        "price_unit": 100.0 + k + index % 50,
                        "account_id": account.id,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
        for index, partner in enumerate(partners)
        for k in range(per_customer)
    ]
    invoices = env["account.move"]
    for start in range(0, len(vals_list), 200):
        invoices |= env["account.move"].create(vals_list[start : start + 200])
        invoices[start:].action_post()
        env.flush_all()
        env.invalidate_all()
    # Pay two invoices in three, a few days early or late.
    to_pay = invoices.filtered(lambda m: m.id % 3)
    for delay in (-3, 5, 25):
        batch = to_pay.filtered(lambda m, d=delay: m.id % 7 % 3 == (d % 3))
        for start in range(0, len(batch), 500):
            chunk = batch[start : start + 500]
            env["account.payment.register"].with_context(
                active_model="account.move", active_ids=chunk.ids
            ).create(
                {
                    "payment_date": min(
                        today, max(chunk.mapped("invoice_date_due")) + timedelta(days=delay)
                    ),
                    "group_payment": True,
                }
            )._create_payments()
            env.flush_all()
            env.invalidate_all()
    return partners, invoices


def timed(env, results, name, function):
    env.flush_all()
    queries = env.cr.sql_log_count
    start = time.perf_counter()
    value = function()
    env.flush_all()
    results.append((name, time.perf_counter() - start, env.cr.sql_log_count - queries))
    return value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", "-d", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--invoices", type=int, default=10)
    args = parser.parse_args()
    config.parse_config(
        [
            f"--addons-path={args.addons_path}",
            f"--database={args.database}",
            "--db_replica_host=",
            "--log-level=warn",
        ]
    )
    registry = odoo.modules.registry.Registry(args.database)
    results = []
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        today = date.today()
        start = time.perf_counter()
        partners, invoices = make_data(env, args.customers, args.invoices, today)
        reminders = env["account.dunning.reminder"]._create_reminders(
            partners=partners[:100], as_of=today - timedelta(days=20)
        )
        reminders.action_issue()
        # A daily automation creating, issuing and sending: what the
        # forecast simulates.
        env["account.dunning.automation"].create(
            {
                "name": "Benchmark daily reminders",
                "cadence": "custom",
                "cadence_formula": "1D",
                "state": "scheduled",
                "next_run_date": today,
                "action_ids": [
                    Command.create({"action_type": kind, "sequence": n})
                    for n, kind in enumerate(("create", "issue", "send"))
                ],
            }
        )
        env.flush_all()
        setup = time.perf_counter() - start
        domain = [("company_id", "=", env.company.id)]
        timed(env, results, "dashboard: aging by customer", lambda: env[
            "account.dunning.aging.report"
        ].read_group(domain, ["amount_1_30:sum", "amount_90_plus:sum", "overdue_rate"],
                     ["partner_id"]))
        timed(env, results, "dashboard: DSO and overdue rate per manager", lambda: env[
            "account.dunning.kpi.report"
        ].read_group(domain, ["dso", "overdue_rate"], ["responsible_id"]))
        timed(env, results, "dashboard: CEI per month", lambda: env[
            "account.dunning.collection.report"
        ].read_group(domain, ["cei"], ["month:month", "responsible_id"], lazy=False))
        timed(env, results, "dashboard: effectiveness per level and month", lambda: env[
            "account.dunning.effectiveness.report"
        ].read_group(domain, ["paid_7_share", "paid_30_share"], ["level_id", "issue_date:month"],
                     lazy=False))
        scored = timed(env, results, "score cron (all customers)", lambda: env[
            "res.partner"
        ]._cron_dunning_score(commit=False))
        profiles = env["res.partner"]._read_group(
            [("id", "in", partners.ids)], ["dunning_profile"], ["__count"]
        )
        contacts = timed(env, results, "forecast (company, 30 days)", lambda: env[
            "account.dunning.forecast"
        ]._compute_contacts(env.company, today=today))
        cr.rollback()

    print(
        f"{args.customers} customers x {args.invoices} invoices = {len(invoices)} invoices, "
        f"{len(reminders)} reminders issued (data set-up {setup:.1f}s, rolled back); "
        f"{scored} customers scored, profiles {dict(profiles)}, "
        f"{len(contacts)} contacts forecast"
    )
    failed = False
    for name, seconds, queries in results:
        # Goals hold up to 10,000 invoices and grow linearly beyond.
        scaled = GOALS[name] * max(1.0, len(invoices) / 10000)
        ok = seconds <= scaled
        failed |= not ok
        print(
            f"  {name:46s} {seconds:7.2f}s {queries:7d} queries   "
            f"goal {scaled:.1f}s {'OK' if ok else 'MISSED'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
