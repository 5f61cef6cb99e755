-- SQLite's participants now live in the order of their primary key (WITHOUT ROWID). PostgreSQL keeps
-- a table's rows in a heap beside its key's index in any case: nothing to change here; this file
-- keeps the two folders' migrations paired.
select 1;
