-- Check-in, attendance, ratings and evidence (SQLite dialect). The QR code of an activity is signed
-- with its own secret; attendance holds one row per (activity, resident); files live in the database
-- so a backup holds every row and file and several app servers share them.
alter table activities add column checkin_secret text;
alter table activities add column head_count integer;
alter table activities add column summary text;
alter table activities add column documented_at datetime;

create table attendances (
    id integer primary key,
    activity_id bigint not null references activities(id),
    resident_id bigint not null references residents(id),
    status text not null check (status in ('present', 'late', 'excused', 'absent')),
    method text not null check (method in ('qr', 'staff', 'sheet')),
    checked_at datetime not null,
    recorded_by bigint,
    unique (activity_id, resident_id)
);
create index attendances_resident on attendances(resident_id);

create table ratings (
    id integer primary key,
    activity_id bigint not null references activities(id),
    resident_id bigint not null references residents(id),
    score integer not null check (score between 1 and 5),
    comment text,
    created_at datetime not null,
    unique (activity_id, resident_id)
);
create index ratings_resident on ratings(resident_id);

create table activity_files (
    id integer primary key,
    activity_id bigint not null references activities(id),
    kind text not null check (kind in ('photo', 'sign_in_sheet', 'material')),
    file_name text not null,
    content_type text not null,
    size bigint not null,
    sha256 text not null,
    body blob not null,
    thumbnail blob,
    uploaded_by bigint,
    created_at datetime not null
);
create index activity_files_activity on activity_files(activity_id, kind);
