-- Activities per owning node, Beijing month (YYYYMM), status, theme and whether recorded
-- afterwards: what the month grid, the KPI of activities a centre a month and the themes' share
-- read, kept by a trigger in the statement that writes the activity (whatever writes it), so a
-- district's year is a few thousand small rows instead of every activity of the year.
create table activity_months (
    owner_id bigint not null,
    month integer not null,
    status text not null,
    theme_id bigint not null,
    recorded_afterwards boolean not null,
    activities bigint not null,
    primary key (owner_id, month, status, theme_id, recorded_afterwards)
);

insert into activity_months (owner_id, month, status, theme_id, recorded_afterwards, activities)
    select owner_id, cast(to_char(starts_at at time zone 'Asia/Shanghai', 'YYYYMM') as integer),
        status, theme_id, recorded_afterwards, count(*)
    from activities group by 1, 2, 3, 4, 5;

create function activity_months_track() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' and old.owner_id = new.owner_id and old.starts_at = new.starts_at
        and old.status = new.status and old.theme_id = new.theme_id
        and old.recorded_afterwards = new.recorded_afterwards then
        return null;
    end if;
    if tg_op in ('UPDATE', 'DELETE') then
        update activity_months set activities = activities - 1
            where owner_id = old.owner_id
                and month = cast(to_char(old.starts_at at time zone 'Asia/Shanghai', 'YYYYMM') as integer)
                and status = old.status and theme_id = old.theme_id
                and recorded_afterwards = old.recorded_afterwards;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        insert into activity_months (owner_id, month, status, theme_id, recorded_afterwards, activities)
            values (new.owner_id,
                cast(to_char(new.starts_at at time zone 'Asia/Shanghai', 'YYYYMM') as integer),
                new.status, new.theme_id, new.recorded_afterwards, 1)
            on conflict (owner_id, month, status, theme_id, recorded_afterwards)
            do update set activities = activity_months.activities + 1;
    end if;
    return null;
end
$$;

create trigger activity_months_track
    after insert or delete or update of owner_id, starts_at, status, theme_id, recorded_afterwards
    on activities for each row execute function activity_months_track();

-- The teacher trainings of a town's year and a centre's late submissions, found without reading
-- every activity of the year.
create index activities_special on activities(special_event, town_id, starts_at)
    where special_event is not null;
create index activities_late on activities(owner_id, starts_at) where late;
-- A place's to-do counts (plans submitted, returned, drafts, held but not documented) read from
-- this index alone.
create index activities_owner_status on activities(owner_id, status, starts_at, lead_department_id);
