-- Roll-ups of attendance, kept in the same transaction as the attendance they count (and rebuilt
-- by `cedu rollups rebuild`): attended rows (present or late, activity not cancelled) per owning
-- node and Beijing month (YYYYMM); each resident who attended in a year with their community; and
-- those residents counted per community and year — the participation rate's numerator without a
-- GROUP BY over millions of rows.
create table attendance_months (
    owner_id bigint not null,
    month integer not null,
    attendances bigint not null,
    primary key (owner_id, month)
);

create table participants (
    resident_id bigint not null,
    year integer not null,
    community_id bigint not null,
    primary key (resident_id, year)
);
create index participants_community on participants(community_id, year);

create table participation (
    community_id bigint not null,
    year integer not null,
    participants bigint not null,
    primary key (community_id, year)
);

-- What is already recorded, counted once.
insert into attendance_months (owner_id, month, attendances)
    select x.owner_id, cast(strftime('%Y%m', x.starts_at, '+8 hours') as integer), count(*) from attendances a join activities x on x.id = a.activity_id
    where x.status <> 'cancelled' and a.status in ('present', 'late')
    group by x.owner_id, cast(strftime('%Y%m', x.starts_at, '+8 hours') as integer);
insert into participants (resident_id, year, community_id)
    select a.resident_id, cast(strftime('%Y%m', x.starts_at, '+8 hours') as integer) / 100, min(r.community_id) from attendances a
    join activities x on x.id = a.activity_id join residents r on r.id = a.resident_id
    where x.status <> 'cancelled' and a.status in ('present', 'late')
    group by a.resident_id, cast(strftime('%Y%m', x.starts_at, '+8 hours') as integer) / 100;
insert into participation (community_id, year, participants)
    select community_id, year, count(*) from participants group by community_id, year;
