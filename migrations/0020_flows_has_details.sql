-- Whether the flow's record carried details (the flow_details row: process, domains, TCP and HTTP
-- statistics...), so a search page looks details up only when one of its rows has some: the look-up
-- took about 5 ms of every page, on a table that usually holds none of the page's rows. Rows stored
-- before this column existed read as 1, "maybe", and are looked up as before; the writer always
-- sets it.
ALTER TABLE flows ADD COLUMN IF NOT EXISTS has_details UInt8 DEFAULT 1;
