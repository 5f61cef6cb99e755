-- Enrolment: one active enrolment per (activity, resident); beyond capacity residents wait in order
-- (SQLite dialect).
create table enrolments (
    id integer primary key,
    activity_id bigint not null references activities(id),
    resident_id bigint not null references residents(id),
    status text not null check (status in ('enrolled', 'waiting', 'cancelled')),
    created_at datetime not null,
    updated_at datetime not null
);
create unique index enrolments_once on enrolments(activity_id, resident_id) where status <> 'cancelled';
create index enrolments_activity on enrolments(activity_id, status, id);
create index enrolments_resident on enrolments(resident_id);
