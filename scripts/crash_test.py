"""Kill test of the batched automation run (not part of scripts/test.sh).

Starts a real Odoo server (prefork: HTTP and cron workers, Odoo's default
limits) on loopback, runs an automation (create + issue + send: email with
the letter and the invoice attached, letter to print, fees entry) over 300
customers, kills the whole server with SIGKILL in the middle of the run,
starts it again and checks that the same run completes with exactly one
reminder, one fees entry, one email and one letter per customer.

    scripts/crash_test.sh [customers=300]

Uses its own database (dun_scale_crash by default, dropped and created).
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

import psycopg2

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.tools import config


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def sql(db, query, params=None):
    with psycopg2.connect(dbname=db) as conn, conn.cursor() as cr:
        cr.execute(query, params)
        return cr.fetchall() if cr.description else None


def setup_data(db, customers, port, cron_workers=1, light=False):
    """Reminder terms with fees and letters, one overdue invoice per customer,
    a manual automation create + issue + send in batches of 10."""
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        company = env.company
        env["ir.config_parameter"].set_param("web.base.url", f"http://127.0.0.1:{port}")
        env["ir.config_parameter"].set_param("report.url", f"http://127.0.0.1:{port}")
        # Workers sharing the run (the module's setting; the server gets as
        # many cron threads).
        env["ir.config_parameter"].set_param("account_dunning_automation.cron_workers",
                                             cron_workers)
        # Emails stay queued (no SMTP server here): they are counted, not sent.
        env.ref("mail.ir_cron_mail_scheduler_action").active = False
        income = env["account.account"].search(
            [("company_ids", "in", company.id), ("account_type", "=", "income")], limit=1
        )
        misc = env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "general")], limit=1
        )
        sale = env["account.journal"].search(
            [("company_id", "=", company.id), ("type", "=", "sale")], limit=1
        )
        level = {
            "name": "Reminder",
            "sequence": 1,
            "delay_days": 1,
            "fee_amount": 5.0,
            "send_email": True,
            "send_letter": True,
            "attach_invoices": "overdue",
        }
        if light:
            # Emails only: no fees entry, no PDF (the template without the
            # letter), as the benchmark's run without PDF.
            template = env.ref("account_dunning_automation.mail_template_dunning_reminder")
            level.update(
                fee_amount=0.0,
                send_letter=False,
                attach_invoices="none",
                attach_letter=False,
                mail_template_id=template.copy({"report_template_ids": [Command.clear()]}).id,
            )
        term = env["account.dunning.term"].create(
            {
                "name": "Crash test",
                "company_id": company.id,
                "journal_id": misc.id,
                "fee_account_id": income.id,
                "level_ids": [Command.create(level)],
            }
        )
        company.dunning_term_id = term
        partners = env["res.partner"].create(
            [
                {
                    "name": f"Crash customer {i:03d}",
                    "is_company": True,
                    "email": f"crash{i}@example.com",
                }
                for i in range(customers)
            ]
        )
        due = date.today() - timedelta(days=10)
        values = [
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "journal_id": sale.id,
                "invoice_date": due,
                "invoice_date_due": due,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Service",
                            "quantity": 1,
                            "price_unit": 100.0,
                            "account_id": income.id,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
            for partner in partners
        ]
        for start in range(0, len(values), 100):
            env["account.move"].create(values[start : start + 100]).action_post()
        automation = env["account.dunning.automation"].create(
            {
                "name": "Crash test",
                "batch_size": 10,
                "action_ids": [
                    Command.create({"action_type": action, "sequence": index})
                    for index, action in enumerate(["create", "issue", "send"], 1)
                ],
            }
        )
        cr.commit()
        return automation.id


def warm_up(db):
    """Generate the report assets (CSS bundles) once, as any real database
    has them: otherwise the first batch with a letter generates them in its
    transaction, and a worker killed in that batch loses them again."""
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        invoice = env["account.move"].search([("move_type", "=", "out_invoice")], limit=1)
        env["ir.actions.report"]._render_qweb_html("account.account_invoices", invoice.ids)
        cr.commit()


def warm_up_pdf(db):
    """Print one invoice and one letter through the running server, as any
    database in use has done: wkhtmltopdf fetches the report styles from the
    server, whose HTTP workers generate and keep their asset bundles (10 to
    20 s on a loaded machine, otherwise spent by the first batch of the run
    inside the cron worker's time limit). Nothing of it is kept here."""
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        invoice = env["account.move"].search([("move_type", "=", "out_invoice")], limit=1)
        start = time.time()
        env["ir.actions.report"]._render_qweb_pdf("account.account_invoices", invoice.ids)
        log(f"warm-up: one invoice PDF through the server in {time.time() - start:.1f}s")
        cr.rollback()


def reuse_data(db):
    """--reuse: the database of a previous attempt whose run never committed
    a batch (no reminder yet): its run is deleted, its data kept."""
    reminders = sql(db, "SELECT count(*) FROM account_dunning_reminder")[0][0]
    if reminders:
        raise SystemExit("--reuse: the database already has reminders; run without --reuse")
    sql(db, "DELETE FROM account_dunning_automation_run")
    sql(db, "DELETE FROM ir_cron_progress")  # the timeouts of that attempt
    return sql(db, "SELECT id FROM account_dunning_automation WHERE name = 'Crash test'")[0][0]


def start_run(db, automation_id):
    """What the Start button does: the run record, a trigger of the cron."""
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["account.dunning.automation"].browse(automation_id).action_start()
        cr.commit()


def start_server(args, logfile):
    # odoo-bin, not "python -m odoo": the prefork server spawns its gevent
    # (websocket) process with sys.argv[0], which must be a runnable script.
    odoo_bin = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin")
    launcher = [odoo_bin] if os.path.exists(odoo_bin) else ["-m", "odoo"]
    command = [
        sys.executable,
        *launcher,
        f"--addons-path={args.addons_path}",
        "-d",
        args.database,
        f"--db-filter=^{args.database}$",
        "--db_replica_host=",
        "--http-interface=127.0.0.1",
        f"--http-port={args.port}",
        "--workers=2",
        f"--max-cron-threads={args.cron_workers}",
        "--log-level=info",
        # Odoo's default limits, written out: the cron worker is killed after
        # 120 s of real time (sleep included), 60 s of CPU.
        "--limit-time-real=120",
        "--limit-time-cpu=60",
        f"--logfile={logfile}",
    ]
    log("server: " + " ".join(command[1:]))
    # The server logs to its logfile; its stderr (e.g. the gevent process
    # failing when gevent's dependencies are missing) goes beside it.
    with open(logfile + ".stderr", "a") as stderr:
        return subprocess.Popen(command, start_new_session=True, stderr=stderr)


def run_state(db):
    # The run's figures are read from its customers and batches (several
    # workers write those, never the run's row).
    rows = sql(
        db,
        "SELECT r.id, r.state, (SELECT count(*) FROM account_dunning_automation_run_item i "
        "WHERE i.run_id = r.id AND i.phase = COALESCE(r.phase, 0) AND i.state != 'todo'), r.customer_count, "
        "(SELECT count(*) FROM account_dunning_automation_batch b WHERE b.run_id = r.id "
        "AND b.state = 'done') FROM account_dunning_automation_run r ORDER BY r.id",
    )
    return rows


def wait_for(db, predicate, timeout, what):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        rows = run_state(db)
        if rows != last:
            log(f"runs (id, state, done, customers, batches): {rows}")
            last = rows
        if rows and predicate(rows[-1]):
            return rows[-1]
        time.sleep(1)
    raise SystemExit(f"timeout waiting for {what}")


def check(db, customers, light=False):
    failures = []

    def expect(label, actual, expected):
        ok = actual == expected
        log(f"{'OK  ' if ok else 'FAIL'} {label}: {actual} (expected {expected})")
        if not ok:
            failures.append(label)

    runs = sql(
        db,
        "SELECT r.state, sum(b.created_count), sum(b.issued_count), sum(b.sent_count), "
        "(SELECT count(*) FROM account_dunning_automation_error e WHERE e.run_id = r.id), "
        "count(b.id) FROM account_dunning_automation_run r "
        "JOIN account_dunning_automation_batch b ON b.run_id = r.id AND b.state = 'done' "
        "GROUP BY r.id",
    )
    expect(f"one run, done, {customers} created/issued/sent, no error", runs,
           [("done", customers, customers, customers, 0, runs[0][5])])
    per_customer = sql(
        db,
        """SELECT p.id,
                  (SELECT count(*) FROM account_dunning_reminder r
                    WHERE r.partner_id = p.id AND r.state != 'cancel'),
                  (SELECT count(*) FROM account_move m
                    WHERE m.partner_id = p.id AND m.move_type = 'entry'
                      AND m.state = 'posted' AND m.ref LIKE 'Reminder %%'),
                  (SELECT count(*) FROM mail_message msg
                     JOIN account_dunning_reminder r ON r.id = msg.res_id
                    WHERE msg.model = 'account.dunning.reminder' AND r.partner_id = p.id
                      AND msg.message_type = 'comment'
                      AND EXISTS (SELECT 1 FROM mail_message_res_partner_rel rel
                                   WHERE rel.mail_message_id = msg.id)),
                  (SELECT count(*) FROM mail_mail mm
                     JOIN mail_message msg ON msg.id = mm.mail_message_id
                     JOIN account_dunning_reminder r ON r.id = msg.res_id
                    WHERE msg.model = 'account.dunning.reminder' AND r.partner_id = p.id),
                  (SELECT count(*) FROM mail_message msg
                     JOIN account_dunning_reminder r ON r.id = msg.res_id
                    WHERE msg.model = 'account.dunning.reminder' AND r.partner_id = p.id
                      AND msg.body LIKE '%%to print and post%%')
             FROM res_partner p WHERE p.name LIKE 'Crash customer %%'""",
    )
    counts = {}
    for _pid, *values in per_customer:
        counts[tuple(values)] = counts.get(tuple(values), 0) + 1
    expected = (1, 0, 1, 1, 0) if light else (1, 1, 1, 1, 1)
    expect(
        "customers with (1 reminder, 1 fees entry, 1 email, 1 queued mail, 1 letter)",
        counts,
        {expected: customers},
    )
    pdfs = sql(
        db,
        "SELECT count(*) FROM ir_attachment WHERE res_model = 'account.move' "
        "AND res_field = 'invoice_pdf_report_file'",
    )[0][0]
    expect("invoice PDFs rendered once and kept on the invoices", pdfs, 0 if light else customers)
    return failures


def _kill_and_restart(args, automation_id, server):
    """Start the run, SIGKILL the whole server after ``--kill-at`` customers,
    start it again and wait for the end of the same run. Returns None on
    failure."""
    try:
        time.sleep(8)
        warm_up_pdf(args.database)
        start_run(args.database, automation_id)
        log("run started (Start button: run record + cron trigger)")
        killed_at = wait_for(args.database, lambda r: r[2] >= args.kill_at, 900, "progress")
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    log(f"SIGKILL sent to the whole server (master, HTTP and cron workers) at {killed_at}")
    time.sleep(2)
    after_kill = run_state(args.database)[-1]
    log(f"after the kill: {after_kill}")
    if after_kill[1] != "running":
        log("FAIL: the run was over before the kill; use a smaller --kill-at")
        return None

    server = start_server(args, os.path.join(args.logdir, f"{args.database}-2.log"))
    try:
        final = wait_for(args.database, lambda r: r[1] != "running", 1800, "the end of the run")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    log(f"run over after the restart: {final}")
    if final[0] != killed_at[0]:
        log("FAIL: the restarted server did not continue the same run")
        return None
    return server


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", "-d", default="dun_scale_crash")
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--port", type=int, default=8275)
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--kill-at", type=int, default=100,
                        help="customers done before the kill (0: no kill, the run is timed)")
    parser.add_argument("--cron-workers", type=int, default=1,
                        help="cron threads of the server sharing the run (the module's setting)")
    parser.add_argument("--light", action="store_true",
                        help="emails only: no fees entry, no letter, no PDF")
    parser.add_argument("--logdir", default="/tmp")
    parser.add_argument("--reuse", action="store_true", help="keep the data of a previous attempt")
    args = parser.parse_args()
    config.parse_config(
        [f"--addons-path={args.addons_path}", f"-d{args.database}", "--db_replica_host=",
         "--log-level=warn"]
    )
    log(f"Odoo limits: limit_time_real={config['limit_time_real']}s "
        f"limit_time_cpu={config['limit_time_cpu']}s "
        f"limit_time_real_cron={config['limit_time_real_cron']} "
        f"limit_memory_hard={config['limit_memory_hard'] // 2**20}MB (defaults)")
    log(f"load average: {os.getloadavg()}")
    if args.reuse:
        automation_id = reuse_data(args.database)
    else:
        automation_id = setup_data(args.database, args.customers, args.port, args.cron_workers,
                                   args.light)
    warm_up(args.database)
    log(f"data: {args.customers} customers with an overdue invoice, automation {automation_id}")

    server = start_server(args, os.path.join(args.logdir, f"{args.database}-1.log"))
    if not args.kill_at:
        # Timed run, no kill: from the Start button to the end of the run.
        try:
            time.sleep(8)
            warm_up_pdf(args.database)
            start = time.time()
            start_run(args.database, automation_id)
            final = wait_for(args.database, lambda r: r[1] != "running", 1800, "the end")
            elapsed = time.time() - start
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
        workers = sql(
            args.database,
            "SELECT split_part(worker, ':', 2) || ':' || split_part(worker, ':', 3), count(*), "
            "sum(customer_count) FROM account_dunning_automation_batch WHERE state = 'done' "
            "GROUP BY 1 ORDER BY 1",
        )
        log(f"run over: {final}")
        log(f"TIMED: {args.cron_workers} cron worker(s), {args.customers} customers, "
            f"{elapsed:.1f}s from Start to the end; batches per worker (process:thread, "
            f"batches, customers): {workers}")
    else:
        server = _kill_and_restart(args, automation_id, server)
        if server is None:
            return 1
    failures = check(args.database, args.customers, args.light)
    log(f"load average: {os.getloadavg()}")
    log("RESULT: " + ("FAILED " + ", ".join(failures) if failures else "all checks passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
