"""Email reminders about overdue and coming-up actions, with a delivery log."""
