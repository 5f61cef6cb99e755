-- The district's KPI targets (Q二(三)): a district may set its own; until it does, Qunli's plan's
-- figures apply (participation 25 %, awareness and approval 70 %, satisfaction 50 %, 2 activities
-- a centre a month, 2 teacher trainings and 1 leadership meeting a town a year, 2 yuan a
-- resident). Stored in hundredths.
create table kpi_targets (
    district_id bigint not null references org_nodes(id),
    kpi text not null check (kpi in ('participation', 'awareness', 'approval', 'satisfaction',
        'activities_per_centre', 'teacher_trainings', 'leadership_meetings', 'funds_per_resident')),
    target_x100 bigint not null check (target_x100 >= 0 and target_x100 <= 1000000),
    updated_by bigint references users(id),
    updated_at timestamptz not null,
    primary key (district_id, kpi)
);
