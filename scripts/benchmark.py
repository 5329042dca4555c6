"""Benchmark of the full daily run, side by side with OCA account_credit_control.

Speed goals live here, not in the tests. Run through scripts/benchmark.sh,
which finds Odoo and PostgreSQL and fetches account_credit_control 18.0 from
PyPI into its own folder when it can:

    scripts/benchmark.sh [--sizes 1000,10000,20000] [--pdf-invoices 100]

For each size (number of open invoices, 5 per customer), one database holds
the data; each contender runs in a fresh process on its own copy of it
(``createdb -T``), so that both see exactly the same invoices:

- account_dunning_automation: an automation create + issue + send (emails
  queued), processed batch by batch as the cron does (a commit per batch);
- account_credit_control: a run generating the credit control lines, marked
  to be sent, then the emailer wizard (communications and their emails).

"no PDF": the emails carry no PDF (our level attaches neither the letter nor
the invoices, credit_control's template no report). "PDF": our level attaches
the letter and the invoices to the email and sends the letter too (letters and invoices rendered in one
call per batch), credit_control attaches its summary report to each email.

Measured per contender: wall time, SQL queries (all cursors), peak memory of
the process (ru_maxrss) and, for ours, the longest batch transaction.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta

# Goals of issue #12, checked at the end.
GOAL_SPEEDUP_AT_10K = 3.0  # at least 3x faster than credit_control at 10k invoices
GOAL_QUERIES_PER_INVOICE = 2.0  # at most 2 SQL queries per invoice
GOAL_MEMORY_GROWTH = 0.20  # peak memory within 20 % from 1k to 20k invoices
GOAL_BATCH_SECONDS = 30.0  # no batch transaction longer than 30 s

PER_CUSTOMER = 5
ORM_INVOICES = int(os.environ.get("BENCH_ORM_INVOICES", 1000))
# Database names (a prefix per user of a shared PostgreSQL).
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "dun_scale_bench")
BASE_DB = f"{DB_PREFIX}_base"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- children


def _env(database, addons_path):
    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.tools import config

    config.parse_config(
        [f"--addons-path={addons_path}", f"-d{database}", "--db_replica_host=", "--log-level=warn"]
    )
    registry = odoo.modules.registry.Registry(database)
    cr = registry.cursor()
    return api.Environment(cr, SUPERUSER_ID, {}), cr


def child_setup(args):
    """Create the data: customers with PER_CUSTOMER invoices 16 to 20 days
    overdue, our terms (one level after 1 day) and credit_control's policy."""
    from odoo import Command

    env, cr = _env(args.database, args.addons_path)
    company = env.company
    pdf = args.pdf
    income = env["account.account"].search(
        [("company_ids", "in", company.id), ("account_type", "=", "income")], limit=1
    )
    sale = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
    )
    if pdf:
        # wkhtmltopdf loads the report styles from this URL: the benchmark
        # serves the database there during the run (see pdf_server).
        env["ir.config_parameter"].set_param("report.url", f"http://127.0.0.1:{args.http_port}")
    # Our side: a template without the letter when no PDF is wanted.
    template = env.ref("account_dunning_automation.mail_template_dunning_reminder")
    if not pdf:
        template = template.copy({"report_template_ids": [Command.clear()]})
    term = env["account.dunning.term"].create(
        {
            "name": "Benchmark",
            "company_id": company.id,
            "level_ids": [
                Command.create(
                    {
                        "name": "Reminder",
                        "sequence": 1,
                        "delay_days": 1,
                        "send_email": True,
                        "send_letter": pdf,
                        "attach_invoices": "overdue" if pdf else "none",
                        "attach_letter": pdf,
                        "mail_template_id": template.id,
                    }
                )
            ],
        }
    )
    company.dunning_term_id = term
    automation = env["account.dunning.automation"].create(
        {
            "name": "Benchmark",
            "batch_size": args.batch_size,
            "action_ids": [
                Command.create({"action_type": action, "sequence": index})
                for index, action in enumerate(["create", "issue", "send"], 1)
            ],
        }
    )
    # credit_control side: its 3-time policy on the receivable account.
    policy = env.ref("account_credit_control.credit_control_3_time", raise_if_not_found=False)
    if policy:
        receivable = env["res.partner"].new({}).property_account_receivable_id
        policy.account_ids = [Command.link(receivable.id)]
        company.credit_policy_id = policy
        cc_template = env.ref("account_credit_control.email_template_credit_control_base")
        if not pdf:
            cc_template.report_template_ids = [Command.clear()]
    # Posting invoices through the ORM costs about 0.1-0.5 s each on this
    # machine: at most ORM_INVOICES are posted, the rest are SQL copies of
    # them (customers, invoices and their journal items, renumbered).
    unit = min(args.invoices, ORM_INVOICES)
    customers = unit // PER_CUSTOMER
    partners = env["res.partner"].create(
        [
            {"name": f"Benchmark customer {i}", "is_company": True, "email": f"b{i}@example.com"}
            for i in range(customers)
        ]
    )
    today = date.today()
    vals_list = [
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "journal_id": sale.id,
            "invoice_date": today - timedelta(days=20 - k),
            "invoice_date_due": today - timedelta(days=20 - k),
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Service",
                        "quantity": 1,
                        "price_unit": 100.0 + k,
                        "account_id": income.id,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
        for partner in partners
        for k in range(PER_CUSTOMER)
    ]
    for start in range(0, len(vals_list), 250):
        env["account.move"].create(vals_list[start : start + 250]).action_post()
        cr.commit()
        env.invalidate_all()
    if pdf:
        # As after the invoices' own sending: Odoo keeps each invoice's PDF
        # (invoice_pdf_report_id), which the reminders then attach as it is.
        # Rendered here, outside the timed run, by the server of the setup.
        invoices = env["account.move"].search(
            [("move_type", "=", "out_invoice"), ("state", "=", "posted"),
             ("partner_id", "in", partners.ids)]
        )
        for start in range(0, len(invoices), 50):
            invoices[start : start + 50]._dunning_store_invoice_pdfs()
            cr.commit()
        kept = env["account.move"].search_count(
            [("id", "in", invoices.ids), ("invoice_pdf_report_id", "!=", False)]
        )
        log(f"invoice PDFs kept before the run: {kept} of {len(invoices)}")
    copies = args.invoices // unit
    for copy in range(1, copies):
        clone_customers(cr, partners.ids, copy)
    cr.commit()
    customers *= copies
    # Email queue cron off: emails stay queued, they are counted, not sent.
    env.ref("mail.ir_cron_mail_scheduler_action").active = False
    cr.commit()
    cr.close()
    print(json.dumps({"automation_id": automation.id, "customers": customers}))


def _columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s AND column_name != 'id' ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cr.fetchall()]


def clone_customers(cr, partner_ids, copy):
    """Copy the customers ``partner_ids`` with their invoices and journal
    items in SQL (copy number ``copy``): same amounts and dates, new names."""
    suffix = f"-c{copy}"

    def insert(table, overrides, where, params):
        columns = _columns(cr, table)
        select = ", ".join(overrides.get(column, f"t.{column}") for column in columns)
        cr.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 (benchmark only)
            f"SELECT {select} FROM {table} t {where}",
            params,
        )

    cr.execute("CREATE TEMP TABLE IF NOT EXISTS clone_map (old_id int, new_id int, kind text)")
    cr.execute("TRUNCATE clone_map")
    cr.execute("CREATE INDEX IF NOT EXISTS clone_map_old ON clone_map (kind, old_id)")
    insert(
        "res_partner",
        {
            "name": f"t.name || '{suffix}'",
            "complete_name": f"t.complete_name || '{suffix}'",
            "ref": "'clone:' || t.id",
        },
        "WHERE t.id IN %s",
        [tuple(partner_ids)],
    )
    cr.execute(
        "INSERT INTO clone_map SELECT substr(ref, 7)::int, id, 'partner' FROM res_partner "
        "WHERE ref LIKE 'clone:%%'"
    )
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id, ref = NULL WHERE ref LIKE 'clone:%%'"
    )
    insert(
        "account_move",
        {
            "partner_id": "(SELECT new_id FROM clone_map WHERE old_id = t.partner_id "
            "AND kind = 'partner')",
            "commercial_partner_id": "(SELECT new_id FROM clone_map WHERE old_id = t.partner_id "
            "AND kind = 'partner')",
            "partner_shipping_id": "(SELECT new_id FROM clone_map WHERE old_id = t.partner_id "
            "AND kind = 'partner')",
            "name": f"t.name || '{suffix}'",
            "payment_reference": f"t.payment_reference || '{suffix}'",
            "invoice_origin": "'clone:' || t.id",
        },
        "WHERE t.partner_id IN %s AND t.move_type = 'out_invoice'",
        [tuple(partner_ids)],
    )
    cr.execute(
        "INSERT INTO clone_map SELECT substr(invoice_origin, 7)::int, id, 'move' FROM account_move "
        "WHERE invoice_origin LIKE 'clone:%%'"
    )
    cr.execute("UPDATE account_move SET invoice_origin = NULL WHERE invoice_origin LIKE 'clone:%%'")
    insert(
        "account_move_line",
        {
            "move_id": "(SELECT new_id FROM clone_map WHERE old_id = t.move_id AND kind = 'move')",
            "partner_id": "(SELECT new_id FROM clone_map WHERE old_id = t.partner_id "
            "AND kind = 'partner')",
            "move_name": f"t.move_name || '{suffix}'",
        },
        "WHERE t.move_id IN (SELECT old_id FROM clone_map WHERE kind = 'move')",
        [],
    )


def child_run(args):
    import odoo

    env, cr = _env(args.database, args.addons_path)
    env.invalidate_all()
    batches = []
    if args.contender == "dunning":
        run_model = type(env["account.dunning.automation.run"])
        process_batch = run_model._process_batch

        def timed_batch(run, *args, **kwargs):
            start = time.perf_counter()
            result = process_batch(run, *args, **kwargs)
            batches.append(time.perf_counter() - start)
            return result

        run_model._process_batch = timed_batch
        # Time and SQL queries per action (create / issue / send).
        phases = {}
        action_model = type(env["account.dunning.automation.action"])
        execute = action_model._execute

        def timed_execute(action, *a):
            queries_before = odoo.sql_db.sql_counter
            start = time.perf_counter()
            try:
                return execute(action, *a)
            finally:
                phase = phases.setdefault(action.action_type, [0.0, 0])
                phase[0] += time.perf_counter() - start
                phase[1] += odoo.sql_db.sql_counter - queries_before

        action_model._execute = timed_execute
        automation = env["account.dunning.automation"].search([("name", "=", "Benchmark")])
        queries = odoo.sql_db.sql_counter
        start = time.perf_counter()
        run = automation._start_run(date.today(), scheduled=False)
        cr.commit()
        profiler = None
        shapes = None
        if os.environ.get("BENCH_SQL_TOP"):
            # The most frequent query shapes (numbers blanked), to find the
            # queries made once per item.
            import collections
            import re

            shapes = collections.Counter()
            execute_sql = odoo.sql_db.Cursor.execute

            def counting_execute(cursor, query, params=None, log_exceptions=True):
                text = query.code if hasattr(query, "code") else str(query)
                shapes[re.sub(r"\d+", "N", " ".join(text.split()))[:160]] += 1
                return execute_sql(cursor, query, params, log_exceptions)

            odoo.sql_db.Cursor.execute = counting_execute
        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        env["account.dunning.automation.run"]._process_running()
        if profiler:
            import pstats

            profiler.disable()
            if os.environ["BENCH_PROFILE"].endswith(".prof"):
                # A file for pstats / snakeviz (callers, callees).
                profiler.dump_stats(os.environ["BENCH_PROFILE"])
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(60)
        cr.commit()
        elapsed = time.perf_counter() - start
        queries = odoo.sql_db.sql_counter - queries
        if shapes is not None:
            for shape, count in shapes.most_common(int(os.environ["BENCH_SQL_TOP"])):
                print(f"{count:6d} {shape}", file=sys.stderr)
        run.invalidate_recordset()
        result = {
            "reminders": run.sent_count,
            "errors": run.error_count,
            "batches": len(batches),
            "max_batch": max(batches or [0.0]),
            "phases": {k: [round(v[0], 1), v[1]] for k, v in phases.items()},
        }
    else:
        queries = odoo.sql_db.sql_counter
        start = time.perf_counter()
        # Equal work: credit_control's emailer posts with Odoo's default
        # mail_notify_force_send, which tries to deliver each email inside the
        # run (every email an SMTP attempt); ours are queued for the mail queue
        # cron. Both queue here, and the mail states of each side are printed.
        env = env(context=dict(env.context, mail_notify_force_send=False))
        cc_run = env["credit.control.run"].create(
            {"date": date.today(), "policy_ids": [(6, 0, env.company.credit_policy_id.ids)]}
        )
        cc_run.generate_credit_lines()
        lines = cc_run.line_ids
        lines.write({"state": "to_be_sent"})  # the marker wizard
        emailer = env["credit.control.emailer"].create({"line_ids": [(6, 0, lines.ids)]})
        comms = emailer._send_emails()
        cr.commit()
        elapsed = time.perf_counter() - start
        queries = odoo.sql_db.sql_counter - queries
        result = {"reminders": len(comms), "errors": 0, "batches": 1, "max_batch": elapsed}
    mails = env["mail.mail"].search_count([])
    cr.execute("SELECT state, count(*) FROM mail_mail GROUP BY state ORDER BY state")
    mail_states = dict(cr.fetchall())
    cr.close()
    result.update(
        {
            "seconds": elapsed,
            "queries": queries,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "mails": mails,
            "mail_states": mail_states,
        }
    )
    print(json.dumps(result))


def child_start(args):
    """Start the run of our automation (as Run Now does) and commit it."""
    env, cr = _env(args.database, args.addons_path)
    automation = env["account.dunning.automation"].search([("name", "=", "Benchmark")])
    run = automation._start_run(date.today(), scheduled=False)
    cr.commit()
    cr.close()
    print(json.dumps({"run_id": run.id}))


def child_work(args):
    """One worker sharing the run: loads Odoo, says it is ready, waits for
    the go of the driver (so that the workers start together and the time
    counts no start-up), then processes batches until none is left."""
    import odoo

    env, cr = _env(args.database, args.addons_path)
    env.invalidate_all()
    print("ready", flush=True)
    sys.stdin.readline()
    queries = odoo.sql_db.sql_counter
    start = time.perf_counter()
    env["account.dunning.automation.run"]._process_running()
    cr.commit()
    elapsed = time.perf_counter() - start
    cr.close()
    print(json.dumps({"seconds": elapsed, "queries": odoo.sql_db.sql_counter - queries,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def child_check(args):
    """What the workers did, read from the database: the batches per worker,
    the reminders, the customers reminded more than once, the mail states."""
    env, cr = _env(args.database, args.addons_path)
    run = env["account.dunning.automation.run"].search([], order="id desc", limit=1)
    cr.execute(
        "SELECT worker, count(*), sum(customer_count) FROM account_dunning_automation_batch "
        "WHERE run_id = %s AND state = 'done' GROUP BY worker ORDER BY worker",
        [run.id],
    )
    workers = [[count, customers] for _worker, count, customers in cr.fetchall()]
    cr.execute(
        "SELECT count(*) FROM (SELECT partner_id FROM account_dunning_reminder "
        "GROUP BY partner_id HAVING count(*) > 1) twice"
    )
    duplicates = cr.fetchone()[0]
    cr.execute(
        "SELECT count(*) FROM (SELECT r.partner_id FROM mail_mail mm "
        "JOIN mail_message m ON m.id = mm.mail_message_id "
        "JOIN account_dunning_reminder r ON r.id = m.res_id AND m.model = 'account.dunning.reminder' "
        "GROUP BY r.partner_id HAVING count(*) > 1) twice"
    )
    duplicates += cr.fetchone()[0]
    cr.execute("SELECT state, count(*) FROM mail_mail GROUP BY state ORDER BY state")
    mail_states = dict(cr.fetchall())
    result = {"state": run.state, "reminders": run.sent_count, "errors": run.error_count,
              "workers": workers, "duplicates": duplicates, "mail_states": mail_states}
    cr.close()
    print(json.dumps(result))


def measure_workers(args, invoices, counts):
    """The run of our automation at ``invoices`` shared by 1, 2... worker
    processes on one database (as cron workers or Odoo servers would)."""
    data_db = f"{DB_PREFIX}_{invoices}_workers"
    subprocess.run(["dropdb", "--if-exists", data_db], check=False, capture_output=True)
    psql("createdb", "-T", BASE_DB, data_db)
    child(args, "--child=setup", f"--database={data_db}", f"--invoices={invoices}",
          f"--batch-size={args.batch_size}", f"--http-port={args.http_port}")
    rows = []
    for count in counts:
        run_db = f"{data_db}_{count}"
        subprocess.run(["dropdb", "--if-exists", run_db], check=False, capture_output=True)
        psql("createdb", "-T", data_db, run_db)
        child(args, "--child=start", f"--database={run_db}")
        command = [sys.executable, os.path.abspath(__file__), f"--addons-path={args.addons_path}",
                   "--child=work", f"--database={run_db}"]
        procs = [subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True) for _index in range(count)]
        for proc in procs:
            while proc.stdout.readline().strip() != "ready":
                pass
        load = os.getloadavg()[0]
        start = time.perf_counter()
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [json.loads(proc.communicate()[0].strip().splitlines()[-1]) for proc in procs]
        elapsed = time.perf_counter() - start
        result = child(args, "--child=check", f"--database={run_db}")
        result.update(seconds=elapsed, load=load,
                      queries=sum(o["queries"] for o in outputs),
                      peak_mb=max(o["peak_mb"] for o in outputs))
        log(f"  {count} worker(s): {result}")
        rows.append((count, result))
        subprocess.run(["dropdb", "--if-exists", run_db], check=False, capture_output=True)
    subprocess.run(["dropdb", "--if-exists", data_db], check=False, capture_output=True)
    return rows


# ---------------------------------------------------------------- driver


def psql(*args):
    subprocess.run(list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def child(args, *extra):
    command = [
        sys.executable,
        os.path.abspath(__file__),
        f"--addons-path={args.addons_path}",
        *extra,
    ]
    output = subprocess.run(command, check=False, capture_output=True, text=True)
    # The child's log (warnings, profile with BENCH_PROFILE) goes on.
    sys.stderr.write(output.stderr[-200000:])
    output.check_returncode()
    return json.loads(output.stdout.strip().splitlines()[-1])


def pdf_server(args, database):
    """An HTTP-only Odoo server on ``database`` (no cron), for wkhtmltopdf to
    fetch the report styles from, as it does from any production server;
    without it, every PDF fails. Returns the process (None without PDF)."""
    import socket

    command = [
        sys.executable, "-m", "odoo", f"--addons-path={args.addons_path}", "-d", database,
        f"--db-filter=^{database}$", "--db_replica_host=", "--http-interface=127.0.0.1",
        f"--http-port={args.http_port}", "--max-cron-threads=0", "--log-level=warn",
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    for _ in range(120):
        try:
            with socket.create_connection(("127.0.0.1", args.http_port), timeout=1):
                break
        except OSError:
            time.sleep(1)
    # One request, so that the registry is loaded before the run is timed.
    login = f"http://127.0.0.1:{args.http_port}/web/login"
    subprocess.run(["curl", "-s", "-o", "/dev/null", login], check=False)
    return server


def summarize(values):
    """Median of each figure over the rounds; the range of the times."""
    summary = dict(values[len(values) // 2])
    for key in ("seconds", "queries", "peak_mb", "max_batch", "load"):
        summary[key] = statistics.median(v[key] for v in values)
    times = [v["seconds"] for v in values]
    summary["range"] = (min(times), max(times))
    summary["rounds"] = len(values)
    return summary


def measure(args, invoices, pdf, contenders):
    data_db = f"{DB_PREFIX}_{invoices}{'_pdf' if pdf else ''}"
    subprocess.run(["dropdb", "--if-exists", data_db], check=False, capture_output=True)
    psql("createdb", "-T", BASE_DB, data_db)
    start = time.perf_counter()
    setup_server = pdf_server(args, data_db) if pdf else None
    try:
        setup = child(
            args,
            "--child=setup",
            f"--database={data_db}",
            f"--invoices={invoices}",
            f"--batch-size={args.batch_size}",
            f"--http-port={args.http_port}",
            *(["--pdf"] if pdf else []),
        )
    finally:
        if setup_server:
            os.killpg(setup_server.pid, 15)
            setup_server.wait()
    log(f"{invoices} invoices{' (PDF)' if pdf else ''}: data ready in "
        f"{time.perf_counter() - start:.0f}s ({setup['customers']} customers)")
    runs = {contender: [] for contender in contenders}
    for round_no in range(args.rounds):
        # Interleaved rounds, the order alternating, so that a drift of the
        # machine during the benchmark weighs on both contenders alike.
        order = contenders if round_no % 2 == 0 else list(reversed(contenders))
        for contender in order:
            run_db = f"{data_db}_{contender}"
            subprocess.run(["dropdb", "--if-exists", run_db], check=False, capture_output=True)
            psql("createdb", "-T", data_db, run_db)
            server = pdf_server(args, run_db) if pdf else None
            load = os.getloadavg()[0]
            try:
                result = child(args, "--child=run", f"--database={run_db}",
                               f"--contender={contender}")
            finally:
                if server:
                    os.killpg(server.pid, 15)
                    server.wait()
            result["load"] = load
            runs[contender].append(result)
            log(f"  round {round_no + 1} {contender}: {result}")
            subprocess.run(["dropdb", "--if-exists", run_db], check=False, capture_output=True)
    results = {contender: summarize(values) for contender, values in runs.items()}
    subprocess.run(["dropdb", "--if-exists", data_db], check=False, capture_output=True)
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--child", choices=["setup", "run", "start", "work", "check"])
    parser.add_argument(
        "--workers", default="",
        help="also time our run shared by these numbers of worker processes, e.g. 1,2 "
        "(at the largest size)",
    )
    parser.add_argument("--database")
    parser.add_argument("--contender", choices=["dunning", "credit_control"])
    parser.add_argument("--invoices", type=int)
    parser.add_argument("--pdf", action="store_true")
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3,
                        help="interleaved rounds per size; medians and ranges are printed")
    parser.add_argument("--sizes", default="1000,10000,20000")
    parser.add_argument(
        "--pdf-invoices", type=int, default=500,
        help="invoices of the PDF run, 5 per customer (0: none)"
    )
    parser.add_argument("--no-credit-control", action="store_true")
    parser.add_argument(
        "--http-port", type=int, default=int(os.environ.get("TEST_HTTP_PORT", 8274)),
        help="port of the server that serves the report styles to wkhtmltopdf (PDF run)",
    )
    args = parser.parse_args()
    if args.child == "setup":
        return child_setup(args)
    if args.child == "run":
        return child_run(args)
    if args.child in ("start", "work", "check"):
        return {"start": child_start, "work": child_work, "check": child_check}[args.child](args)

    contenders = ["dunning"] if args.no_credit_control else ["dunning", "credit_control"]
    sizes = [int(size) for size in args.sizes.split(",") if size]
    rows = []
    for invoices in sizes:
        rows.append((invoices, False, measure(args, invoices, False, contenders)))
    if args.pdf_invoices:
        rows.append((args.pdf_invoices, True, measure(args, args.pdf_invoices, True, contenders)))

    print()
    print(f"Full daily run (create + issue + send), {PER_CUSTOMER} invoices per customer, "
          f"batches of {args.batch_size}, both sides' emails queued (mail states shown); "
          f"median of {args.rounds} interleaved rounds, range of the times; {os.cpu_count()} "
          "CPUs shared, load average at the start of the runs in the last column.")
    print()
    header = ("| invoices | PDF | contender | time (s) | range (s) | queries/invoice | peak MB "
              "| longest batch (s) | reminders | mail states | x faster | load |")
    print(header)
    print("|---" * 12 + "|")
    for invoices, pdf, results in rows:
        ours = results["dunning"]
        theirs = results.get("credit_control")
        for name, result in results.items():
            ratio = ""
            if name == "dunning" and theirs:
                ratio = f"{theirs['seconds'] / ours['seconds']:.2f}"
            states = ", ".join(f"{k} {v}" for k, v in sorted(result["mail_states"].items()))
            low, high = result["range"]
            print(
                f"| {invoices} | {'yes' if pdf else 'no'} | {name} | {result['seconds']:.1f} "
                f"| {low:.1f}–{high:.1f} | {result['queries'] / invoices:.2f} "
                f"| {result['peak_mb']:.0f} | {result['max_batch']:.1f} | {result['reminders']} "
                f"| {states or 'none'} | {ratio} | {result['load']:.1f} |"
            )

    print()
    goals = []
    no_pdf = {invoices: results for invoices, pdf, results in rows if not pdf}
    if 10000 in no_pdf and "credit_control" in no_pdf[10000]:
        speedup = no_pdf[10000]["credit_control"]["seconds"] / no_pdf[10000]["dunning"]["seconds"]
        goals.append((f">= {GOAL_SPEEDUP_AT_10K}x faster than credit_control at 10k",
                      f"{speedup:.2f}x", speedup >= GOAL_SPEEDUP_AT_10K))
    if no_pdf:
        worst_queries = max(r["dunning"]["queries"] / n for n, r in no_pdf.items())
        goals.append((f"<= {GOAL_QUERIES_PER_INVOICE} queries per invoice",
                      f"{worst_queries:.2f}", worst_queries <= GOAL_QUERIES_PER_INVOICE))
    pdf_rows = [r for _n, pdf, r in rows if pdf and "credit_control" in r]
    for results in pdf_rows:
        ratio = results["credit_control"]["seconds"] / results["dunning"]["seconds"]
        goals.append(("PDF run at least as fast as credit_control's", f"{ratio:.2f}x",
                      ratio >= 1.0))
    if len(no_pdf) > 1:
        small, large = min(no_pdf), max(no_pdf)
        growth = no_pdf[large]["dunning"]["peak_mb"] / no_pdf[small]["dunning"]["peak_mb"] - 1
        goals.append((f"peak memory within {GOAL_MEMORY_GROWTH:.0%} from {small} to {large}",
                      f"{growth:+.0%}", growth <= GOAL_MEMORY_GROWTH))
    longest = max(r["dunning"]["max_batch"] for _n, _p, r in rows)
    goals.append((f"no batch transaction longer than {GOAL_BATCH_SECONDS:.0f}s",
                  f"{longest:.1f}s", longest <= GOAL_BATCH_SECONDS))
    failed = False
    for label, value, ok in goals:
        failed |= not ok
        print(f"goal {label}: {value} {'MET' if ok else 'MISSED'}")
    if args.workers:
        counts = [int(count) for count in args.workers.split(",") if count]
        invoices = max(sizes) if sizes else 10000
        rows = measure_workers(args, invoices, counts)
        print()
        print(f"Our run at {invoices} invoices shared by worker processes on one database "
              "(each batch takes its customers with SKIP LOCKED); time from the go given to "
              "all workers (Odoo loaded) to the end of the last one.")
        print()
        print("| invoices | workers | time (s) | x faster | batches / customers per worker "
              "| reminders | customers reminded twice | errors | mail states | load |")
        print("|---" * 10 + "|")
        base = rows[0][1]["seconds"] if rows else None
        for count, result in rows:
            states = ", ".join(f"{k} {v}" for k, v in sorted(result["mail_states"].items()))
            per_worker = "; ".join(f"{b} / {c}" for b, c in result["workers"])
            print(f"| {invoices} | {count} | {result['seconds']:.1f} "
                  f"| {base / result['seconds']:.2f} | {per_worker} | {result['reminders']} "
                  f"| {result['duplicates']} | {result['errors']} | {states} "
                  f"| {result['load']:.1f} |")
        duplicates = sum(result["duplicates"] for _count, result in rows)
        print()
        print(f"goal no customer processed twice by the workers: {duplicates} "
              f"{'MET' if not duplicates else 'MISSED'}")
        failed |= bool(duplicates)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
