/** @odoo-module */
// Copyright 2026 account_dunning_automation contributors
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

// A billing clerk reminds three customers: Create Reminders, select them,
// Issue & Send (summary shown), then Print their letters from the Print menu
// and one from its "Print Letter" button (copies of reminders already sent:
// nothing counted). Steps logging "dunning-screenshot:"
// ask the test for a screenshot (tests/test_dunning_send_tour.py).

import { registry } from "@web/core/registry";

function screenshot(name) {
    return {
        content: `Screenshot ${name}`,
        trigger: "body",
        run() {
            console.log(`dunning-screenshot:${name}`);
        },
    };
}

registry.category("web_tour.tours").add("account_dunning_send_tour", {
    url: "/odoo/action-account_dunning_automation.action_account_dunning_reminder",
    steps: () => [
        {
            content: "The reminders list is empty",
            trigger: ".o_view_nocontent",
        },
        {
            content: "Open the Customers menu",
            trigger: ".o_menu_sections button:contains(Customers)",
            run: "click",
        },
        {
            content: "Create Reminders",
            trigger: ".dropdown-item:contains(Create Reminders)",
            run: "click",
        },
        {
            content: "Create them for every customer",
            trigger: ".modal button[name=action_create]",
            run: "click",
        },
        {
            content: "The summary counts three drafts created: open them",
            trigger: ".modal:has([name=created_count]:contains(3)) button[name=action_open_reminders]",
            run: "click",
        },
        {
            content: "Three drafts, one per customer",
            trigger: ".o_list_view:not(:has(.modal)) .o_data_row:nth-child(3)",
        },
        screenshot("1_drafts"),
        {
            content: "Select them all",
            trigger: "thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Issue & Send",
            trigger: "button[name=action_issue_and_send]",
            run: "click",
        },
        {
            content: "The summary says all three were sent",
            trigger: ".o_notification:contains(3 reminder(s) sent, 0 failed)",
        },
        {
            content: "The summary says the emails are in the outgoing queue",
            trigger: ".o_notification:contains(3 email(s) handed to the outgoing mail queue)",
        },
        {
            // Sent means delivered: queued until the mail queue sends them
            // (after the request's transaction, which the test never commits).
            content: "The list shows them issued, their email queued",
            trigger: ".o_data_row:nth-child(3) .o_field_badge:contains(Email Queued)",
        },
        screenshot("2_sent"),
        {
            content: "Select them all again",
            trigger: "thead .o_list_record_selector input:not(:checked)",
            run: "click",
        },
        {
            content: "Open the Print menu",
            trigger: ".o_cp_action_menus button:has(.fa-print)",
            run: "click",
        },
        {
            content: "Print their letters",
            trigger: ".o-dropdown--menu .dropdown-item:contains(Payment Reminder)",
            run: "click",
        },
        {
            content: "Open the first reminder",
            trigger: ".o_data_row:first-child .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "Print Letter",
            trigger: ".o_form_view button[name=action_print]",
            run: "click",
        },
        {
            // A print of a reminder whose email is on its way is a copy, not
            // a second send (issue 21): the reminder waits for its email.
            content: "The form is back, the letter printed, the email still queued",
            trigger: ".o_form_view:not(:has(.modal)) .o_field_widget[name=send_state]:contains(Email Queued)",
        },
        screenshot("3_printed"),
    ],
});

// A formal notice reviewed by a person: no "Issue & Send" on its form; issued,
// its "Send" opens the sending dialog, whose preview shows the email to the
// customer and the letter attached; sent from there.
registry.category("web_tour.tours").add("account_dunning_review_tour", {
    url: "/odoo/action-account_dunning_automation.action_account_dunning_reminder",
    steps: () => [
        {
            content: "Open the draft formal notice",
            trigger: ".o_data_row .o_data_cell[name=name]",
            run: "click",
        },
        {
            content: "No Issue & Send for a level reviewed by a person",
            trigger: ".o_form_view:has(button[name=action_issue]):not(:has(button[name=action_issue_and_send]))",
        },
        {
            content: "Issue it",
            trigger: ".o_form_view button[name=action_issue]",
            run: "click",
        },
        {
            content: "Send: the sending dialog",
            trigger: ".o_form_view button[name=action_send]:contains(Send)",
            run: "click",
        },
        {
            content: "The preview shows the email to the customer",
            trigger: ".modal .o_field_widget[name=mail_body]:contains(Notice Customer)",
        },
        {
            content: "The preview lists the letter",
            trigger: ".modal .o_field_mail_attachments:contains(.pdf)",
        },
        screenshot("5_notice_preview"),
        {
            content: "Send it",
            trigger: ".modal button[name=action_send]",
            run: "click",
        },
        {
            content: "Back on the form, the email queued",
            trigger: ".o_form_view:not(:has(.modal)) .o_field_widget[name=send_state]:contains(Email Queued)",
        },
    ],
});
