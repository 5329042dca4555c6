# Copyright 2026 account_dunning_automation contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The delivery of a reminder once it left: sent means delivered. The
reminder follows its email (queued, delivered, failed with the reason, on
the reminder and in the log of the run that sent it), becomes "Sent" once
the email reached the mail server (or its letter was printed), retries a
failed email (the same email, never a second one), and cancels what has not
left yet when the reminder is cancelled. (What is sent, and how, is the
sending wizard's: ``account.dunning.send``.)
"""

from odoo import api, fields, models


class AccountDunningDelivery(models.AbstractModel):
    _name = "account.dunning.delivery"
    _description = "Payment Reminder Delivery"

    @api.model
    def _dunning_email_posted(self, reminder, message):
        """The reminder email was posted: follow its delivery; from the form
        (composer), run the other channels of the level."""
        reminder.ensure_one()
        reminder.sudo().write(
            {"email_message_id": message.id, "send_state": "queued", "send_error": False}
        )
        plain = reminder.with_context(
            dunning_email=False,
            dunning_attach_letter=False,
            dunning_attach_invoices=False,
            dunning_send_channels=False,
        )
        if reminder.env.context.get("dunning_send_channels"):
            plain.env["account.dunning.send"]._send_other_channels(plain)
        if not reminder.env.context.get("dunning_sending"):
            plain.env["account.dunning.delivery"]._dunning_update_send_state(plain)

    @api.model
    def _dunning_update_send_state(self, reminders):
        """Follow the delivery of the reminder email: delivered (the reminder
        becomes sent), failed (with the reason, on the reminder and in the log
        of the run that sent it) or still queued. A reminder without email
        channel is sent once its other channels ran."""
        for reminder in reminders.sudo():
            if reminder.state not in ("issued", "sent"):
                continue
            if not reminder.email_message_id:
                if reminder.state == "issued" and not reminder.level_id.send_email:
                    self._mark_as_sent(reminder)
                continue
            notifications = self._dunning_email_notifications(reminder)
            failed = notifications.filtered(
                lambda n: n.notification_status in ("exception", "bounce")
            )
            if failed:
                new_state = "failed"
                error = failed[0].failure_reason or dict(
                    failed[0]._fields["failure_type"]._description_selection(reminders.env)
                ).get(failed[0].failure_type, failed[0].failure_type or "")
                error = error or reminders.env._("Unknown error")
            elif notifications and all(
                n.notification_status == "sent" for n in notifications
            ):
                new_state, error = "delivered", False
            else:
                new_state, error = "queued", False
            old_state = reminder.send_state
            if (old_state, reminder.send_error) != (new_state, error):
                reminder.write({"send_state": new_state, "send_error": error})
            if new_state == "failed" and old_state != "failed":
                self._dunning_log_send_failure(reminder, error)
            elif new_state == "delivered" and old_state != "delivered":
                self._mark_as_sent(reminder)

    @api.model
    def _dunning_email_notifications(self, reminder):
        """Email notifications of the reminder email to the customer."""
        reminder.ensure_one()
        message = reminder.sudo().email_message_id
        notifications = message.notification_ids.filtered(
            lambda n: n.notification_type == "email"
        )
        return (
            notifications.filtered(lambda n: n.res_partner_id in message.partner_ids)
            or notifications
        )

    @api.model
    def _dunning_log_send_failure(self, reminder, error):
        """Show a failed email on the reminder and in the run log."""
        reminder.ensure_one()
        message = reminder.env._(
            "Reminder %(name)s: the email was not delivered (%(error)s). It is "
            "sent again by the next send action.",
            name=reminder.name,
            error=error,
        )
        reminder.message_post(body=message)
        run = reminder.sudo().send_run_id
        if run:
            action = run.automation_id.action_ids.filtered(
                lambda a: a.action_type == "send"
            )[:1]
            run._log_error(action, message, reminder)
            if run.state == "done":
                run.state = "error"

    @api.model
    def _retry_email(self, reminder):
        """Send the failed reminder email again: the same email, re-queued
        (the customer never gets two), or a new one when the mail server
        dropped it (invalid address, since corrected)."""
        reminder.ensure_one()
        send_model = self.env["account.dunning.send"]
        send_model._check_email_recipients(reminder)
        mails = (
            reminder.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "=", reminder.email_message_id.id),
                    ("state", "=", "exception"),
                ]
            )
        )
        if not mails or not reminder.email_message_id:
            reminder.sudo().write(
                {"send_state": False, "email_message_id": False}
            )
            composer_context = dict(
                send_model._email_composer_context(reminder), dunning_sending=True
            )
            reminder.env["mail.compose.message"].with_context(
                **composer_context
            ).create({})._action_send_mail()
            self._dunning_update_send_state(reminder)
            return
        self._dunning_email_notifications(reminder).filtered(
            lambda n: n.notification_status in ("exception", "bounce")
        ).sudo().write(
            {"notification_status": "ready", "failure_type": False, "failure_reason": False}
        )
        mails.mark_outgoing()
        reminder.sudo().write(
            {"send_state": "queued", "send_error": False}
        )
        reminder.message_post(
            body=reminder.env._("The reminder email is queued to be sent again.")
        )
        cron = reminder.env.ref("mail.ir_cron_mail_scheduler_action", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()

    @api.model
    def _dunning_cancel_pending(self, reminders):
        """Cancel what these reminders still have waiting to leave: their
        emails in the mail queue or failed (a retry would send them again),
        their SMS in the SMS queue."""
        if not reminders:
            return
        # As superuser: the queues are not the users'; the caller checked
        # the access to the reminders.
        messages = reminders.env["mail.message"].sudo().search(
            [("model", "=", reminders._name), ("res_id", "in", reminders.ids)]
        )
        if not messages:
            return
        reminders.env["mail.mail"].sudo().search(
            [
                ("mail_message_id", "in", messages.ids),
                ("state", "in", ("outgoing", "exception")),
            ]
        ).cancel()
        reminders.env["sms.sms"].sudo().search(
            [("mail_message_id", "in", messages.ids), ("state", "=", "outgoing")]
        ).action_set_canceled()

    @api.model
    def _dunning_letter_printed(self, reminders):
        """The letter PDF of these reminders was produced for a user: issued
        reminders become sent and count a send. A reminder already sent (by
        email, or its letter printed before) is reprinted: logged, not
        counted as another send to the customer (the contact policy and the
        "sent N times" read that count). Reminders the user may not change (an
        auditor printing) count nothing."""
        printed = reminders.filtered(lambda r: r.state in ("issued", "sent"))._filtered_access(
            "write"
        )
        # An issued reminder whose email is queued or delivered was sent: its
        # print is a copy (the delivery of the email counts the send).
        first = printed.filtered(
            lambda r: r.state == "issued" and r.send_state not in ("queued", "delivered")
        )
        self._mark_as_sent(first)
        for reminder in first:
            reminder._message_log(body=reminders.env._("Reminder letter printed."))
        for reminder in printed - first:
            reminder._message_log(
                body=reminders.env._("Reminder letter printed again (not counted as a new send).")
            )

    @api.model
    def _mark_as_sent(self, reminders):
        today = fields.Date.context_today(reminders)
        # As superuser: the state changes only through the actions.
        for reminder in reminders.sudo():
            reminder.write(
                {
                    "state": "sent",
                    "sent_date": today,
                    "send_count": reminder.send_count + 1,
                }
            )
