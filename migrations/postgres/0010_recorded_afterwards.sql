-- Activities held before a town adopted cedu, entered afterwards (补录) from paper records: they
-- start as held, skip the review and the 15-day notice, and are marked in lists, the grid and the
-- audit log.
alter table activities add column recorded_afterwards boolean not null default false;
