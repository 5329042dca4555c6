# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The mail of many reminders at once (the batches of an automation): the
tracking notes of a batch created in one go, as Odoo would create them one
by one. The hooks of mail.thread that collect them (``_message_track``,
``_message_log``) and the reply-to asked once per batch stay on the
reminder (``account.dunning.reminder``).
"""

from collections import defaultdict

from markupsafe import escape

from odoo import api, models
from odoo.tools import SQL, clean_context
from odoo.tools.mail import generate_tracking_message_id


class AccountDunningMailBatch(models.AbstractModel):
    _name = "account.dunning.mail.batch"
    _description = "Payment Reminder Mail Batch"

    @api.model
    def _dunning_log_tracking(self, reminders, collected):
        """Create the tracking notes ``collected`` ([(reminder id, kwargs of
        _message_log)]) as _message_log_batch would one by one: internal
        notes of the current user (or the author set for the tracking), then
        all their tracking values in one creation."""
        authors = {}
        values_list = []
        tracking_list = []
        for res_id, kwargs in collected:
            author = kwargs.get("author_id")
            if author not in authors:
                author_id, email_from = reminders._message_compute_author(
                    author, None, raise_on_email=False
                )
                authors[author] = {
                    "author_id": author_id,
                    "email_from": email_from,
                    "reply_to": reminders.env["mail.thread"]._notify_get_reply_to(
                        default=email_from
                    )[False],
                }
            values_list.append(
                dict(
                    authors[author],
                    model=reminders._name,
                    res_id=res_id,
                    record_alias_domain_id=False,
                    record_company_id=False,
                    record_name=False,
                    attachment_ids=False,
                    message_type="notification",
                    is_internal=True,
                    subject=False,
                    subtype_id=reminders.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                    email_add_signature=False,
                    message_id=generate_tracking_message_id("message-notify"),
                    partner_ids=False,
                    body=escape(kwargs.get("body") or ""),
                )
            )
            # [Command.create(values)] from _mail_track
            tracking_list.append(
                [command[2] for command in kwargs.get("tracking_value_ids") or []]
            )
        messages = self._dunning_insert_messages(values_list)
        # as mail.message.create() creates them (see _dunning_insert_rows)
        tracking_values = self._dunning_insert_rows(
            "mail.tracking.value",
            [
                dict(values, mail_message_id=message.id)
                for message, tracking in zip(messages, tracking_list, strict=True)
                for values in tracking
            ],
        )
        tracking_values.modified(tracking_values._fields, create=True)
        return messages

    @api.model
    def _dunning_log_notes(self, records, bodies):
        """Log the internal notes ``bodies`` ({record id: text}) on
        ``records``, exactly as ``records._message_log_batch(bodies=bodies)``
        would (same author, subtype, message id, reply-to, body escaped and
        sanitized), in one query (see _dunning_insert_messages)."""
        if not records:
            return self.env["mail.message"].sudo()
        author_id, email_from = records._message_compute_author(None, None, raise_on_email=False)
        base_values = {
            # as _message_log_batch
            "author_id": author_id,
            "email_from": email_from,
            "model": records._name,
            "record_alias_domain_id": False,
            "record_company_id": False,
            "record_name": False,
            "message_type": "notification",
            "is_internal": True,
            "subject": False,
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            "email_add_signature": False,
            "message_id": generate_tracking_message_id("message-notify"),
            "reply_to": self.env["mail.thread"]._notify_get_reply_to(default=email_from)[False],
        }
        return self._dunning_insert_messages(
            [
                dict(base_values, res_id=record.id, body=escape(bodies.get(record.id, "")))
                for record in records
            ]
        )

    @api.model
    def _dunning_insert_messages(self, values_list):
        """Create the messages ``values_list`` (the values _message_log_batch
        gives _message_create: notes of a document, notifying nobody, no
        attachment, partner nor tracking value), as mail.message.create()
        would store them, in one query per thousand messages.

        Why not create(): issuing a batch logs one note per invoice reminded
        and one tracking note per reminder, and the ORM's creation of the
        messages was half of the time of issuing at 10,000 invoices (each
        body sanitized twice, the defaults asked per message, the inverse
        caches of the documents updated one message at a time). The rows are
        create()'s: the defaults of the fields not given (asked once, the
        date of the message), each value converted as create() converts it
        (the body sanitized), the log columns; the documents' message caches
        invalidated and the fields depending on messages marked, as
        create() does."""
        messages = self._dunning_insert_rows("mail.message", values_list)
        # what the documents show of their messages is read again
        documents = defaultdict(set)
        for values in values_list:
            documents[values["model"]].add(values["res_id"])
        for model, res_ids in documents.items():
            self.env[model].browse(res_ids).invalidate_recordset(
                ["message_ids", "message_needaction", "message_needaction_counter"]
            )
        messages.modified(messages._fields, create=True)
        return messages

    @api.model
    def _dunning_insert_rows(self, model_name, values_list):
        """Insert the rows ``values_list`` of ``model_name`` as its create()
        would store them (no create() override, relational or computed
        value among them: messages and tracking values of notes): the
        defaults of the fields not given (asked once, as superuser like the
        mail's creations), each value converted as create() converts it
        (html sanitized), the log columns; one query per thousand rows.
        Returns the records, not in cache: they are read when asked. The
        caller marks what depends on them (``modified``)."""
        model = self.env[model_name].sudo()
        if not values_list:
            return model
        log_columns = ("create_uid", "create_date", "write_uid", "write_date")
        columns = [
            name
            for name, field in model._fields.items()
            if field.store and field.column_type and name not in ("id", *log_columns)
        ]
        unexpected = {
            name
            for values in values_list
            for name, value in values.items()
            if value and name not in columns
        }
        if unexpected:
            # a programming error: these need create()
            raise ValueError(f"Not inserted as plain rows of {model_name}: {unexpected}")
        given = {name for values in values_list for name in values}
        # the defaults create() would add (the date of the message), asked once
        defaults = model.with_context(clean_context(self.env.context)).default_get(
            [name for name in columns if name not in given]
        )
        now = self.env.cr.now()
        html_columns = {
            name for name in columns
            if model._fields[name].type == "html" and not model._fields[name].sanitize_overridable
        }
        # An html value sanitized once: the notes of one reminder on its
        # invoices share their text.
        sanitized = {}

        def convert(name, values):
            field = model._fields[name]
            if name not in html_columns:
                return field.convert_to_column_insert(values[name], model, values)
            key = (name, values[name])
            if key not in sanitized:
                sanitized[key] = field.convert_to_column_insert(values[name], model, values)
            return sanitized[key]

        rows = []
        for values in values_list:
            values = dict(defaults, **values)
            rows.append(
                tuple(convert(name, values) if name in values else None for name in columns)
                + (self.env.uid, now, self.env.uid, now)
            )
        ids = []
        for start in range(0, len(rows), 1000):
            self.env.cr.execute(
                SQL(
                    "INSERT INTO %s (%s) VALUES %s RETURNING id",
                    SQL.identifier(model._table),
                    SQL(", ").join(map(SQL.identifier, columns + list(log_columns))),
                    SQL(", ").join(rows[start : start + 1000]),
                )
            )
            ids += [row_id for (row_id,) in self.env.cr.fetchall()]
        return model.browse(ids)
