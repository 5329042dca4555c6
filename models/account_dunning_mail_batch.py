# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The mail of many reminders at once (the batches of an automation): the
tracking notes of a batch created in one go, as Odoo would create them one
by one. The hooks of mail.thread that collect them (``_message_track``,
``_message_log``) and the reply-to asked once per batch stay on the
reminder (``account.dunning.reminder``).
"""

import json
import threading
from collections import defaultdict
from types import MappingProxyType

from markupsafe import escape

from odoo import api, models
from odoo.tools import clean_context, split_every
from odoo.tools.mail import generate_tracking_message_id

from .dunning_numbers import LOG_COLUMNS, insert_rows
from .ir_qweb import MEMO_KEY

# The methods of mail.thread that _dunning_post_emails reproduces instead of
# calling them, with the modules whose versions of them it reproduces (Odoo
# 18's mail; the parts of sms and rating that apply to an email; the
# reminder's own message_post). An override of one of them by any other
# module sends the batch through Odoo's composer, one message_post per
# reminder, so that the override is honoured.
BULK_REPRODUCED = MappingProxyType(
    {
        "message_post": frozenset({"mail", "sms", "rating", "account_dunning_automation"}),
        "_notify_thread": frozenset({"mail", "sms"}),
        "_notify_thread_by_email": frozenset({"mail"}),
        "_notify_get_recipients": frozenset({"mail"}),
    }
)
# The notification parameters of message_post the bulk path handles.
NOTIFY_PARAMETERS = frozenset(
    {
        "force_email_company",
        "force_email_lang",
        "force_send",
        "mail_auto_delete",
        "model_description",
        "notify_author",
        "scheduled_date",
        "send_after_commit",
        "subtitles",
    }
)


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

    # ------------------------------------------------------------------
    # The reminder emails of a batch, posted together
    # ------------------------------------------------------------------

    @api.model
    def _dunning_can_post_in_bulk(self, composer, res_ids):
        """Whether ``_dunning_post_emails`` gives the same result as the
        composer's one message_post per reminder: a composer in batch mode
        (one reminder alone keeps Odoo's path, whose composer renders and
        subscribes differently), no option of message_post the bulk path does
        not reproduce, and no override of the methods it reproduces from a
        module it does not know (any other module's override is honoured by
        sending the batch through Odoo's composer)."""
        if (
            len(res_ids) < 2
            or not composer.composition_batch
            or composer.composition_mode != "comment"
            or composer.model != "account.dunning.reminder"
        ):
            return False
        context = composer.env.context
        if context.get("mail_post_autofollow") or composer.env.user._is_public():
            return False
        records = composer.env[composer.model]
        for method, modules in BULK_REPRODUCED.items():
            for cls in type(records).__mro__:
                if method in vars(cls) and getattr(cls, "_module", None) not in modules:
                    return False
        return True

    @api.model
    def _dunning_post_emails(self, composer, res_ids):
        """Post the reminder emails of ``composer`` (comment mode, batch of
        ``res_ids``) as its ``_action_send_mail`` would, one
        ``message_post`` per reminder, but set-based: the template rendered
        for all of them (each in its customer's language), the messages
        created in one go, the notification emails in one go (each in Odoo's
        notification layout, rendered in its recipients' language), their
        notifications in one go. What mail.thread does per message that is
        not a creation (reply-to, attachments, followers' inbox, the layout)
        runs through Odoo's own methods. Returns the messages."""
        records = composer.env[composer.model].with_context(mail_create_nosubscribe=True)
        records = records.browse(res_ids)
        post_values_all = composer._prepare_mail_values(res_ids)
        send = records.env["account.dunning.send"]
        # Attachments first, as the reminder's message_post adds them (the
        # letter and the invoice PDFs, see account.dunning.send).
        missing_all = {}
        attach = records.env.context.get("dunning_attach_letter") or records.env.context.get(
            "dunning_attach_invoices"
        )
        posts = []
        for record in records:
            kwargs = dict(post_values_all[record.id])
            missing = missing_all[record.id] = {}
            if attach:
                pdfs = send._dunning_email_attachments(record, missing)
                if pdfs:
                    kwargs["attachment_ids"] = list(kwargs.get("attachment_ids") or []) + [
                        attachment.id
                        for attachment in pdfs
                        if attachment.id not in (kwargs.get("attachment_ids") or [])
                    ]
            if records.env.context.get("dunning_email"):
                kwargs.setdefault("tracking_value_ids", [])
            posts.append(kwargs)
        messages, msg_values_list, notif_kwargs_list = self._dunning_create_messages(
            records, posts
        )
        self._dunning_notify_messages(records, messages, msg_values_list, notif_kwargs_list)
        delivery = records.env["account.dunning.delivery"]
        for record, message in zip(records, messages, strict=True):
            if missing_all[record.id]:
                send._warn_missing_pdfs(record, missing_all[record.id])
            delivery._dunning_email_posted(record, message)
        return messages

    @api.model
    def _dunning_create_messages(self, records, posts):
        """The message_post of mail.thread (Odoo 18) for each record of
        ``records`` with the keyword arguments ``posts`` (in the same order),
        its messages created in one ``_message_create``. Returns the
        messages, the values they were created from (``msg_vals`` of the
        notification) and the notification keyword arguments."""
        records = records._fallback_lang()
        authors = {}
        reply_to = {}
        values_list = []
        notif_kwargs_list = []
        for record, kwargs in zip(records, posts, strict=True):
            msg_values, attachments, attachment_ids, notif_kwargs = self._dunning_message_values(
                record, kwargs, authors
            )
            values_list.append((record, msg_values, attachments, attachment_ids))
            notif_kwargs_list.append(notif_kwargs)
        needs_environment = [
            msg_values
            for _record, msg_values, _attachments, _ids in values_list
            if "record_alias_domain_id" not in msg_values
            or "record_company_id" not in msg_values
        ]
        if needs_environment:
            alias_domains = records.sudo()._mail_get_alias_domains(
                default_company=records.env.company
            )
            companies = records._mail_get_companies(default=records.env.company)
            for msg_values in needs_environment:
                msg_values.setdefault(
                    "record_alias_domain_id", alias_domains[msg_values["res_id"]].id
                )
                msg_values.setdefault("record_company_id", companies[msg_values["res_id"]].id)
        # The reply-to addresses of the records in one call per sender.
        for _record, msg_values, _attachments, _ids in values_list:
            if "reply_to" not in msg_values:
                reply_to.setdefault(msg_values["email_from"], []).append(msg_values["res_id"])
        reply_to = {
            email_from: records.browse(res_ids)._notify_get_reply_to(default=email_from)
            for email_from, res_ids in reply_to.items()
        }
        # The attachments of the batch read at once (model, creator), then
        # linked to their message as message_post links them.
        records.env["ir.attachment"].sudo().browse(
            list({aid for *_rest, attachment_ids in values_list for aid in attachment_ids})
        ).mapped("create_uid")
        create_list = []
        for record, msg_values, attachments, attachment_ids in values_list:
            if "reply_to" not in msg_values:
                msg_values["reply_to"] = reply_to[msg_values["email_from"]][record.id]
            msg_values.update(
                record._process_attachments_for_post(attachments, attachment_ids, msg_values)
            )
            create_list.append(msg_values)
        messages = records._message_create(create_list)
        for record, message, msg_values in zip(records, messages, create_list, strict=True):
            record._message_post_after_hook(message, msg_values)
        return messages, create_list, notif_kwargs_list

    @api.model
    def _dunning_message_values(self, record, kwargs, authors):
        """The values message_post computes for the message of ``record``
        from its keyword arguments ``kwargs`` (the authors computed once per
        sender in ``authors``). Returns the message values, the attachments
        to create and link, and the notification keyword arguments."""
        kwargs = dict(kwargs)
        body = kwargs.pop("body", "")
        subject = kwargs.pop("subject", None)
        message_type = kwargs.pop("message_type", "notification")
        email_from = kwargs.pop("email_from", None)
        author_id = kwargs.pop("author_id", None)
        parent_id = kwargs.pop("parent_id", False)
        subtype_xmlid = kwargs.pop("subtype_xmlid", None)
        subtype_id = kwargs.pop("subtype_id", False)
        partner_ids = list(kwargs.pop("partner_ids", None) or [])
        attachments = kwargs.pop("attachments", None)
        attachment_ids = list(kwargs.pop("attachment_ids", None) or [])
        if message_type in ("sms", "user_notification") or {
            "body_is_html",
            "rating_id",
            "rating_value",
        } & set(kwargs):
            # (SMS, ratings, raw HTML: not the reminder emails)
            raise NotImplementedError(f"message_post option not reproduced: {kwargs}")
        record._raise_for_invalid_parameters(
            set(kwargs), forbidden_names={"model", "res_id", "subtype"}
        )
        message_fields = record.env["mail.message"]._fields
        msg_kwargs = {key: val for key, val in kwargs.items() if key in message_fields}
        notif_kwargs = {key: val for key, val in kwargs.items() if key not in msg_kwargs}
        if set(notif_kwargs) - NOTIFY_PARAMETERS:
            raise NotImplementedError(f"notification option not reproduced: {notif_kwargs}")
        if (author_id, email_from) not in authors:
            authors[author_id, email_from] = record._message_compute_author(
                author_id, email_from, raise_on_email=True
            )
        author_id, email_from = authors[author_id, email_from]
        if subtype_xmlid:
            subtype_id = record.env["ir.model.data"]._xmlid_to_res_id(subtype_xmlid)
        if not subtype_id:
            subtype_id = record.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        msg_values = dict(msg_kwargs)
        msg_values.setdefault("email_add_signature", True)
        if not msg_values.get("record_name"):
            msg_values["record_name"] = record.sudo().display_name
        msg_values.update(
            {
                "author_id": author_id,
                "author_guest_id": False,
                "email_from": email_from,
                "model": record._name,
                "res_id": record.id,
                "body": escape(body),
                "message_type": message_type,
                "parent_id": record._message_compute_parent_id(parent_id),
                "subject": subject or False,
                "subtype_id": subtype_id,
                "partner_ids": partner_ids,
            }
        )
        return msg_values, attachments, attachment_ids, notif_kwargs

    @api.model
    def _dunning_notify_messages(self, records, messages, msg_values_list, notif_kwargs_list):
        """The _notify_thread of mail.thread (Odoo 18, with sms) for each
        message posted on its record: the recipients of all of them in two
        queries (followers of the records, partners of the messages), the
        followers' inbox, browser and SMS notifications by Odoo's own methods
        for the records that have such recipients, the notification emails
        (mail.mail) and their notifications created in one go each."""
        # The notification layout compiled once for the batch (see
        # ir.qweb._compile in this module).
        records = records._fallback_lang().with_context(
            **{MEMO_KEY: self.env.context.get(MEMO_KEY, {})}
        )
        env = records.env
        recipients_all = self._dunning_recipients(records, msg_values_list, notif_kwargs_list)
        SafeMail = env["mail.mail"].sudo().with_context(clean_context(env.context))
        SafeNotification = env["mail.notification"].sudo().with_context(
            clean_context(env.context)
        )
        gen_batch_size = (
            int(env["ir.config_parameter"].sudo().get_param("mail.batch_size")) or 50
        )
        mail_values_list = []
        mailed = []  # (record index, message, recipient ids) per mail.mail
        for index, (record, message, msg_vals, kwargs) in enumerate(
            zip(records, messages, msg_values_list, notif_kwargs_list, strict=True)
        ):
            kwargs = dict(kwargs)
            record._raise_for_invalid_parameters(
                set(kwargs), restricting_names=record._get_notify_valid_parameters()
            )
            recipients_data = recipients_all[index]
            if not recipients_data:
                continue
            for r in filter(lambda r: r["uid"], recipients_data):
                user = env["res.users"].browse(r["uid"])
                env.cache.insert_missing(user, user._fields["partner_id"], [r["id"]])
            scheduled_date = record._is_notification_scheduled(kwargs.pop("scheduled_date", None))
            if scheduled_date:
                env["mail.message.schedule"].sudo().create(
                    {
                        "scheduled_datetime": scheduled_date,
                        "mail_message_id": message.id,
                        "notification_parameters": json.dumps(kwargs),
                    }
                )
                continue
            if any(r["notif"] == "inbox" for r in recipients_data):
                # Internal followers reading their inbox (rare on reminders).
                record._notify_thread_by_inbox(
                    message, recipients_data, msg_vals=msg_vals, **kwargs
                )
            for mail_values, chunk in self._dunning_email_values(
                record, message, msg_vals, kwargs, recipients_data, gen_batch_size
            ):
                mail_values_list.append(mail_values)
                mailed.append((index, message, chunk))
            # (the reminder's override skips customers without a user)
            record._notify_thread_by_web_push(message, recipients_data, msg_vals, **kwargs)
            if any(r["notif"] == "sms" for r in recipients_data):
                record._notify_thread_by_sms(message, recipients_data, msg_vals=msg_vals, **kwargs)
        mails = SafeMail.create(mail_values_list) if mail_values_list else SafeMail
        notif_values = [
            {
                "author_id": message.author_id.id,
                "is_read": True,  # discard Inbox notification
                "mail_mail_id": mail.id,
                "mail_message_id": message.id,
                "notification_status": "ready",
                "notification_type": "email",
                "res_partner_id": recipient_id,
            }
            for mail, (_index, message, chunk) in zip(mails, mailed, strict=True)
            for recipient_id in chunk
        ]
        if notif_values:
            SafeNotification.create(notif_values)
        self._dunning_force_send(records, mails, mailed, notif_kwargs_list)
        return mails

    @api.model
    def _dunning_email_values(self, record, message, msg_vals, kwargs, recipients_data, size):
        """The notification emails _notify_thread_by_email creates for
        ``message`` on ``record``: for each group of its email recipients
        (language, kind of recipient), the body in Odoo's notification
        layout, rendered by Odoo's methods. Returns [(mail.mail values,
        recipient ids)], by chunks of ``size`` recipients."""
        partners_data = [r for r in recipients_data if r["notif"] == "email"]
        if not partners_data:
            return []
        base_mail_values = record._notify_by_email_get_base_mail_values(
            message,
            additional_values={"auto_delete": kwargs.get("mail_auto_delete", True)},
        )
        result = []
        for _lang, render_values, recipients_group in (
            record._notify_get_classified_recipients_iterator(
                message,
                partners_data,
                msg_vals=msg_vals,
                model_description=kwargs.get("model_description", False),
                force_email_company=kwargs.get("force_email_company", False),
                force_email_lang=kwargs.get("force_email_lang", False),
                subtitles=kwargs.get("subtitles"),
            )
        ):
            mail_body = record._notify_by_email_render_layout(
                message, recipients_group, msg_vals=msg_vals, render_values=render_values
            )
            recipients_ids = recipients_group.pop("recipients")
            for chunk in split_every(size, recipients_ids):
                result.append(
                    (
                        record._notify_by_email_get_final_mail_values(
                            chunk, base_mail_values, additional_values={"body_html": mail_body}
                        ),
                        list(chunk),
                    )
                )
        return result

    @api.model
    def _dunning_force_send(self, records, mails, mailed, notif_kwargs_list):
        """The end of _notify_thread_by_email: the emails of a message sent at
        once when asked (``force_send``, or the context's
        ``mail_notify_force_send``), after the commit outside tests. The
        automation asks for none: they wait in the mail queue."""
        env = records.env
        test_mode = getattr(threading.current_thread(), "testing", False)
        limit = None
        for index, kwargs in enumerate(notif_kwargs_list):
            force_send = env.context.get("mail_notify_force_send", kwargs.get("force_send", True))
            if not force_send:
                continue
            emails = env["mail.mail"].sudo().browse(
                mail.id for mail, (i, *_rest) in zip(mails, mailed, strict=True) if i == index
            )
            if limit is None:
                limit = int(
                    env["ir.config_parameter"].sudo().get_param("mail.mail.force.send.limit", 100)
                )
            if emails and len(emails) < limit and (not env.registry._init or test_mode):
                if not test_mode and kwargs.get("send_after_commit", True):
                    emails.send_after_commit()
                else:
                    emails.send()

    @api.model
    def _dunning_recipients(self, records, msg_values_list, notif_kwargs_list):
        """_notify_get_recipients of mail.thread for each (record, message
        values), in two queries for all of them: the followers of the records
        following the subtype, then the same with the partners of the
        messages (their data and whether they follow). Each record gets its
        followers and its own message's partners, as Odoo computes them one
        record at a time."""
        env = records.env
        followers = env["mail.followers"]
        result = [None] * len(records)
        groups = {}
        for index, msg_vals in enumerate(msg_values_list):
            key = (msg_vals.get("message_type"), msg_vals.get("subtype_id"))
            groups.setdefault(key, []).append(index)
        for (message_type, subtype_id), indexes in groups.items():
            group_records = records.browse(records[i].id for i in indexes)
            pids = sorted(
                {pid for i in indexes for pid in (msg_values_list[i].get("partner_ids") or [])}
            )
            followed = followers._get_recipient_data(group_records, message_type, subtype_id)
            data = (
                followers._get_recipient_data(group_records, message_type, subtype_id, pids)
                if pids
                else followed
            )
            for i in indexes:
                record = records[i]
                msg_vals = msg_values_list[i]
                own = set(msg_vals.get("partner_ids") or [])
                res = {
                    pid: pdata
                    for pid, pdata in data.get(record.id, {}).items()
                    if pid in followed.get(record.id, {}) or pid in own
                }
                notify_author = notif_kwargs_list[i].get("notify_author") or env.context.get(
                    "mail_notify_author"
                )
                if notify_author:
                    real_author_id = False
                elif env.user.active:
                    real_author_id = env.user.partner_id.id
                else:
                    real_author_id = msg_vals.get("author_id")
                result[i] = [
                    pdata
                    for pid, pdata in res.items()
                    if not (pid and pid == real_author_id) and pdata["active"] is not False
                ]
        return result
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
        columns = [
            name
            for name, field in model._fields.items()
            if field.store and field.column_type and name not in ("id", *LOG_COLUMNS)
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
            )
        return model.browse(insert_rows(model, columns, rows))
