-- Activities: the catalogue's formats and target groups, activities (课程/活动) with their teachers, and the
-- review lifecycle (SQLite dialect).
create table formats (
    id integer primary key,
    district_id bigint not null references org_nodes(id),
    name text not null,
    sort integer not null default 0,
    active boolean not null default true,
    unique (district_id, name)
);

create table target_groups (
    id integer primary key,
    district_id bigint not null references org_nodes(id),
    name text not null,
    sort integer not null default 0,
    active boolean not null default true,
    unique (district_id, name)
);

create table activities (
    id integer primary key,
    town_id bigint not null references org_nodes(id),
    owner_id bigint not null references org_nodes(id),
    lead_department_id bigint references org_nodes(id),
    theme_id bigint not null references themes(id),
    format_id bigint references formats(id),
    target_group_id bigint references target_groups(id),
    title text not null,
    description text,
    venue text,
    starts_at datetime not null,
    ends_at datetime not null,
    capacity integer,
    featured boolean not null default false,
    learning_team boolean not null default false,
    special_event text check (special_event in ('teacher_training', 'national_day', 'new_year_gala', 'learning_week', 'publicity')),
    series_id bigint,
    status text not null check (status in ('draft', 'submitted', 'approved', 'returned', 'published', 'held', 'documented', 'archived', 'cancelled')),
    submitted_at datetime,
    late boolean not null default false,
    review_note text,
    cancel_reason text,
    created_by bigint,
    created_at datetime not null,
    updated_at datetime not null
);
create index activities_owner_start on activities(owner_id, starts_at);
create index activities_town_start on activities(town_id, starts_at);
create index activities_series on activities(series_id);

create table activity_teachers (
    activity_id bigint not null references activities(id),
    teacher_id bigint not null references teachers(id),
    primary key (activity_id, teacher_id)
);
