-- Activities held before a town adopted cedu, entered afterwards (补录) from paper records: they
-- start as held, skip the review and the 15-day notice, and are marked in lists, the grid and the
-- audit log.
alter table activities add column recorded_afterwards boolean not null default false;

-- Every concept may plug an import in (past activities now; the annual schedule, equipment and
-- budget lines next): the kind is checked by the import registry, not by a list in the table.
-- SQLite cannot change a check constraint: the table is rebuilt with its rows.
create table import_batches_new (
    id integer primary key,
    kind text not null check (kind <> ''),
    town_id bigint not null references org_nodes(id),
    user_id bigint,
    file_name text not null,
    status text not null check (status in ('pending', 'imported', 'cancelled')),
    total_rows integer not null,
    valid_rows integer not null,
    payload text not null,
    report text not null,
    created_at datetime not null,
    finished_at datetime
);
insert into import_batches_new (id, kind, town_id, user_id, file_name, status, total_rows,
    valid_rows, payload, report, created_at, finished_at)
    select id, kind, town_id, user_id, file_name, status, total_rows, valid_rows, payload, report,
    created_at, finished_at from import_batches;
drop table import_batches;
alter table import_batches_new rename to import_batches;
