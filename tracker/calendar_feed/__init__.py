"""Each person's private calendar feed (iCalendar) of their due dates and committee dates."""
