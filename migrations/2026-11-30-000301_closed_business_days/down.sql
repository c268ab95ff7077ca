DROP TRIGGER journal_entries_on_open_days ON journal_entries;
DROP FUNCTION refuse_posting_on_closed_day();
