-- Activities held before a town adopted cedu, entered afterwards (补录) from paper records: they
-- start as held, skip the review and the 15-day notice, and are marked in lists, the grid and the
-- audit log.
alter table activities add column recorded_afterwards boolean not null default false;

-- Every concept may plug an import in (past activities now; the annual schedule, equipment and
-- budget lines next): the kind is checked by the import registry, not by a list in the table.
alter table import_batches drop constraint import_batches_kind_check;
alter table import_batches add constraint import_batches_kind_named check (kind <> '');
