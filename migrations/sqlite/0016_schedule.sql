-- The annual schedule (年度工作配档表): per town and year, rows of months, a work item and the units
-- responsible (a node of the tree, or a unit outside it by name), the activities that carried a
-- row out, and the row marked done by its unit with a note and evidence. Files attached to any
-- record of a concept (the evidence of a schedule row now; vouchers, deeds and minutes next) are
-- kept in `attachments`, in the database like the activities' files.
create table schedule_rows (
    id integer primary key,
    town_id bigint not null references org_nodes(id),
    town_path text not null,
    year integer not null check (year between 2000 and 2100),
    first_month integer not null check (first_month between 1 and 12),
    last_month integer not null check (last_month between first_month and 12),
    position integer not null,
    item text not null check (item <> ''),
    special_event text check (special_event in ('teacher_training', 'national_day', 'new_year_gala', 'learning_week', 'publicity')),
    done_at datetime,
    done_by bigint references users(id),
    done_note text,
    version integer not null default 1,
    created_at datetime not null,
    updated_at datetime not null
);
create index schedule_rows_year on schedule_rows(town_id, year, first_month, last_month, position);

create table schedule_units (
    row_id bigint not null references schedule_rows(id),
    position integer not null,
    node_id bigint references org_nodes(id),
    name text not null check (name <> ''),
    primary key (row_id, position)
);
create index schedule_units_node on schedule_units(node_id, row_id);

create table schedule_links (
    row_id bigint not null references schedule_rows(id),
    activity_id bigint not null references activities(id),
    linked_at datetime not null,
    primary key (row_id, activity_id)
);
create index schedule_links_activity on schedule_links(activity_id);

create table attachments (
    id integer primary key,
    subject_type text not null,
    subject_id bigint not null,
    node_path text not null,
    file_name text not null,
    content_type text not null,
    size bigint not null,
    sha256 text not null,
    body blob not null,
    uploaded_by bigint,
    created_at datetime not null
);
create index attachments_subject on attachments(subject_type, subject_id);
